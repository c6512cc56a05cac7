"""Generates small real audio files for tests with the ffmpeg binary that the imageio-ffmpeg
package ships (MP3, FLAC, Ogg Vorbis, Opus, M4A/AAC, WAV)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

CODECS = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    "flac": ["-c:a", "flac"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "3"],
    "opus": ["-c:a", "libopus", "-b:a", "64k"],
    "m4a": ["-c:a", "aac", "-b:a", "128k"],
    "wav": ["-c:a", "pcm_s16le"],
}
FORMATS = tuple(k for k in CODECS if k != "wav")


def make_audio(
    path: Path,
    seconds: float = 3.0,
    frequency: float = 440.0,
    sample_rate: int = 44100,
    channels: int = 2,
    tags: dict[str, str] | None = None,
    source: str | None = None,
    codec_args: list[str] | None = None,
) -> Path:
    """Write a sine tone (plus a little noise, so encoders have something to code) to `path`;
    the format follows the suffix. `tags` become container metadata (title, artist, ...).
    `source` replaces the tone with another lavfi source (its own duration and rate apply);
    `codec_args` replace the format's encoder options (and may add muxer options)."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in CODECS:
        raise ValueError(f"unsupported test audio format: {fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if source is None:
        source = f"sine=frequency={frequency}:sample_rate={sample_rate}:duration={seconds}"
        source += ",volume=0.5"
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        source,
        "-ac",
        str(channels),
    ]
    if fmt == "opus":
        command += ["-ar", "48000"]
    for key, value in (tags or {}).items():
        command += ["-metadata", f"{key}={value}"]
    command += [*(CODECS[fmt] if codec_args is None else codec_args), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path
