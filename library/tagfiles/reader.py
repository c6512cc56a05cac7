"""Reads what the scanner, the tagger and the track pages need from one file: stream info, the
common tags (artist, album artist, album, title, track/disc, year, genre, MusicBrainz ids) and
our namespace tags.

Two ways to open a file. By default the suffix names the format and only the five formats
Nomarr tags (MP3, FLAC, Ogg Vorbis, Opus, M4A) are accepted, since writing relies on it. With
`any_format` (the scanner) mutagen recognises the content, so WAV, WMA, APE… are read too.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Literal

import mutagen
from mutagen.mp3 import MP3

from library.tagfiles import formats
from library.tagfiles.errors import (
    CorruptAudio,
    EmptyFile,
    FileNotReadable,
    FileVanished,
    NotAudio,
    TagFileError,
    TruncatedAudio,
)
from library.tagfiles.fields import common_fields
from library.tagfiles.payload import audio_payload_hash

logger = logging.getLogger(__name__)

# mutagen's class name -> the short container name we store.
KIND_FORMATS = {
    "MP3": "mp3",
    "EasyMP3": "mp3",
    "FLAC": "flac",
    "OggVorbis": "ogg",
    "OggOpus": "opus",
    "OggFLAC": "ogg",
    "OggSpeex": "ogg",
    "MP4": "m4a",
    "EasyMP4": "m4a",
    "WAVE": "wav",
    "AIFF": "aiff",
    "ASF": "wma",
    "AAC": "aac",
    "WavPack": "wavpack",
    "MonkeysAudio": "ape",
    "Musepack": "mpc",
    "DSF": "dsf",
    "TrueAudio": "tta",
}
KIND_CODECS = {
    "FLAC": "flac",
    "OggVorbis": "vorbis",
    "OggOpus": "opus",
    "OggFLAC": "flac",
    "OggSpeex": "speex",
    "WAVE": "pcm",
    "AIFF": "pcm",
    "AAC": "aac",
    "WavPack": "wavpack",
    "MonkeysAudio": "ape",
    "Musepack": "musepack",
    "DSF": "dsd",
    "TrueAudio": "tta",
}
# An MP3 whose Xing/Info header announces more audio than the file holds is cut short.
TRUNCATION_TOLERANCE = 0.97
Check = bool | Literal["quick"]


@dataclass
class FileTags:
    path: str
    format: str  # mp3, flac, ogg, opus, m4a; with any_format also wav, aiff, wma, ape…
    codec: str
    duration: float
    sample_rate: int | None
    channels: int | None
    bitrate: int | None  # bits per second
    artist: str | None = None
    album_artist: str | None = None
    album: str | None = None
    title: str | None = None
    track_number: int | None = None
    track_total: int | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    year: int | None = None
    genres: list[str] = field(default_factory=list)
    musicbrainz: dict[str, str] = field(default_factory=dict)
    namespace: dict[str, list[str]] = field(default_factory=dict)


def _codec(audio: Any) -> str:
    kind, info = type(audio).__name__, audio.info
    if isinstance(audio, MP3):
        return f"mp{getattr(info, 'layer', 3)}"
    if kind in ("MP4", "EasyMP4"):
        codec = getattr(info, "codec", "") or ""
        return "aac" if codec.startswith("mp4a") else codec or "unknown"
    if kind == "ASF":
        return (getattr(info, "codec_name", "") or "wma").strip()[:32]
    return KIND_CODECS.get(kind, kind.lower())


def _open_by_suffix(path: str) -> tuple[str, Any, int]:
    fmt = formats.detect_format(path)
    audio = formats.load(path, fmt)
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        raise FileVanished(path, f"{path} no longer exists") from None
    return fmt, audio, size


def _open_any(path: str, size: int | None) -> tuple[str, Any, int]:
    """Open whatever mutagen recognises. The messages name no path: the scanner stores them
    beside it, in the track's row."""
    if size is None:
        try:
            size = os.stat(path).st_size
        except OSError:
            size = None  # mutagen.File fails below and names the problem
    if size == 0:
        raise EmptyFile(path, "Empty file (0 bytes).")
    try:
        # Looked up at call time (not imported by name): the tests count these calls.
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        # mutagen wraps the OSError of a file it cannot open
        cause = exc.__cause__
        if isinstance(cause, FileNotFoundError):
            error: type[TagFileError] = FileVanished
        elif isinstance(cause, OSError):
            error = FileNotReadable
        else:
            error = NotAudio
        raise error(path, f"Not a readable audio file: {exc}") from None
    except (ValueError, IndexError, KeyError, EOFError, OverflowError) as exc:
        # mutagen raises plain errors on some corrupt headers
        raise CorruptAudio(path, f"Corrupt audio file: {exc}") from None
    except OSError as exc:
        error = FileVanished if isinstance(exc, FileNotFoundError) else FileNotReadable
        raise error(path, f"Cannot open the file: {exc.strerror or exc}") from None
    if audio is None or getattr(audio, "info", None) is None:
        raise NotAudio(path, "Not a recognised audio file (no known audio header).")
    if size is None:  # stat failed yet mutagen opened it (the file just appeared): ask again
        size = os.path.getsize(path)
    kind = type(audio).__name__
    return KIND_FORMATS.get(kind, kind.lower()[:16]), audio, size


def _quick_check(path: str, audio: Any, size: int, duration: float) -> None:
    """Catch broken files from headers alone, never reading the audio: scans open tens of
    thousands of files. A truncated MP3 holds fewer bytes than its Xing/Info frame count (or
    its bitrate) announces."""
    if isinstance(audio, MP3):
        # mutagen declares FileType.info as None and sets MPEGInfo's attributes dynamically
        info: Any = audio.info
        if getattr(info, "sketchy", False):
            raise NotAudio(path, "Not valid MPEG audio: no consistent frames found.")
        announced = (info.bitrate or 0) / 8 * (info.length or 0)
        if announced > 0 and size < announced * TRUNCATION_TOLERANCE:
            raise TruncatedAudio(
                path,
                f"Truncated: the file holds {size} bytes but its header announces about "
                f"{int(announced)} bytes of audio.",
            )
    if duration <= 0:
        raise NotAudio(path, "No audio: the stream has no duration.")


def _tags(path: str, audio: Any, fmt: str, namespace: str, lenient: bool) -> tuple[dict, dict]:
    try:
        return common_fields(audio.tags), formats.read_namespace(audio, fmt, namespace)
    except Exception as exc:
        if not lenient:
            raise
        # A broken tag block must not hide the stream information from the scanner.
        logger.warning("Could not read the tags of %r: %s", path, exc)
        return common_fields(None), {}


def read_tags(
    path: str | os.PathLike,
    namespace: str = "nom",
    check_structure: Check = False,
    *,
    any_format: bool = False,
    size: int | None = None,
) -> FileTags:
    """Read one file. `check_structure=True` also walks the container (catching truncated or
    damaged files) at the cost of reading the whole file; `"quick"` only checks what headers
    tell (a truncated MP3, a stream without duration). `any_format` opens any audio mutagen
    recognises by its content and keeps the stream info when a tag block is broken; `size`,
    when the caller has just stat'ed the file, saves it doing so again (any_format only).
    Raises library.tagfiles.errors.TagFileError subclasses."""
    path = os.fspath(path)
    fmt, audio, size = _open_any(path, size) if any_format else _open_by_suffix(path)
    info = audio.info
    duration = float(getattr(info, "length", 0) or 0)
    if check_structure == "quick":
        _quick_check(path, audio, size, duration)
    elif check_structure:
        audio_payload_hash(path, fmt)
    fields, namespace_tags = _tags(path, audio, fmt, namespace, lenient=any_format)
    bitrate = int(getattr(info, "bitrate", 0) or 0)
    if not bitrate and duration > 0:  # some containers announce none: the average will do
        bitrate = int(size * 8 / duration)
    return FileTags(
        path=path,
        format=fmt,
        codec=_codec(audio),
        duration=duration,
        # Opus always decodes at 48 kHz; mutagen reports no rate for it.
        sample_rate=int(getattr(info, "sample_rate", 0) or 0) or (48000 if fmt == "opus" else None),
        channels=int(getattr(info, "channels", 0) or 0) or None,
        bitrate=bitrate or None,
        artist=fields["artist"],
        album_artist=fields["album_artist"],
        album=fields["album"],
        title=fields["title"],
        track_number=fields["track"][0],
        track_total=fields["track"][1],
        disc_number=fields["disc"][0],
        disc_total=fields["disc"][1],
        year=fields["year"],
        genres=fields["genres"],
        musicbrainz=fields["musicbrainz"],
        namespace=namespace_tags,
    )
