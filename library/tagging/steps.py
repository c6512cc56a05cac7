"""The tagging pipeline's steps: decode to 16 kHz mono (refusing a file that decodes to clearly
less audio than its header announces), embed with a backbone, run a head on the embeddings,
pool patch predictions into a per-track mean and spread."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping

import numpy as np

from library.tagfiles.formats import is_opus
from library.tagging import essentia_loader
from library.tagging.cache import AlgorithmCache
from library.tagging.metadata import SAMPLE_RATE
from library.tagging.model_suite import Embedding, Head

# Essentia's reference patch hops (the algorithms' defaults, in spectrogram frames).
REFERENCE_HOPS = {
    "TensorflowPredictEffnetDiscogs": 62,
    "TensorflowPredictMusiCNN": 93,
    "TensorflowPredictVGGish": 93,
}
# "fast": patches that touch without overlapping (hop = patch size), about half the inferences
# of the reference hops for EfficientNet and MusiCNN, which carry nearly all the cost.
FAST_HOPS = {
    "TensorflowPredictEffnetDiscogs": 128,
    "TensorflowPredictMusiCNN": 187,
    "TensorflowPredictVGGish": 96,
}
HOP_PRESETS = {"reference": REFERENCE_HOPS, "fast": FAST_HOPS}

# Samples one patch needs: (patch frames - 1) * frame hop + frame size, per backbone.
_MIN_SAMPLES = {
    "TensorflowPredictEffnetDiscogs": 127 * 256 + 512,
    "TensorflowPredictMusiCNN": 186 * 256 + 512,
    "TensorflowPredictVGGish": 95 * 160 + 400,
}

# A sound file may decode a little shorter than its header says (resampling, the encoder's
# priming and padding samples); one that falls short by more was cut off inside its audio.
SHORTFALL_SECONDS = 1.0
SHORTFALL_FRACTION = 0.02


class DecodeError(Exception):
    """The audio could not be decoded; the message says which file and why."""


class AudioCutShort(DecodeError):
    """The file decodes to clearly less audio than its header announces: it is truncated."""


class InferenceError(Exception):
    """A model failed to run on this track (a graph that does not match its metadata)."""


def ffmpeg_binary() -> str | None:
    """An ffmpeg executable: the system's, else the one the imageio-ffmpeg package ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    # imageio_ffmpeg ships no type information; get_ffmpeg_exe() returns the binary's path.
    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def _decode_with_ffmpeg(path: str) -> np.ndarray:
    binary = ffmpeg_binary()
    if binary is None:
        raise DecodeError(f"Cannot decode {path}: Opus needs ffmpeg, and none is installed")
    command = [binary, "-v", "error", "-nostdin", "-i", str(path), "-vn", "-ac", "1"]
    command += ["-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
    result = subprocess.run(command, capture_output=True, timeout=600)
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DecodeError(f"Cannot decode {path}: {lines[-1] if lines else 'ffmpeg failed'}")
    return np.frombuffer(result.stdout, dtype=np.float32)


def is_cut_short(decoded_seconds: float, announced_seconds: float) -> bool:
    """True when the decoded audio falls short of the header's duration by more than the
    larger of SHORTFALL_SECONDS and SHORTFALL_FRACTION of it."""
    margin = max(SHORTFALL_SECONDS, SHORTFALL_FRACTION * announced_seconds)
    return decoded_seconds < announced_seconds - margin


def decode(path: str, announced_seconds: float | None = None) -> np.ndarray:
    """The whole file as 16 kHz mono float32 samples: Essentia's MonoLoader at the resampling
    quality Essentia's model examples use. Opus goes to ffmpeg instead, because the decoder
    bundled with essentia-tensorflow lacks it and a failed MonoLoader corrupts memory.

    `announced_seconds` is the duration the file's header states exactly (None when it only
    estimates one). Decoders stop quietly where a file was cut off inside its audio frames, so
    a decode clearly shorter than that raises AudioCutShort before anything is analysed."""
    es = essentia_loader.standard()
    if not os.path.isfile(path):
        raise DecodeError(f"Cannot decode {path}: the file does not exist")
    if is_opus(path):
        audio = _decode_with_ffmpeg(path)
    else:
        try:
            audio = es.MonoLoader(filename=str(path), sampleRate=SAMPLE_RATE, resampleQuality=4)()
        except RuntimeError as exc:
            raise DecodeError(f"Cannot decode {path}: {str(exc).strip()}") from None
    if audio.size == 0:
        raise DecodeError(f"Cannot decode {path}: it contains no audio")
    decoded_seconds = audio.size / SAMPLE_RATE
    if announced_seconds and is_cut_short(decoded_seconds, announced_seconds):
        raise AudioCutShort(
            f"Cannot tag {path}: the file looks truncated: it decodes to {decoded_seconds:.1f} s "
            f"of audio but its header announces {announced_seconds:.1f} s"
        )
    return audio


def pad_to_patch(audio: np.ndarray, algorithms: list[str]) -> np.ndarray:
    """Zero-pad a very short clip so every backbone gets at least one patch."""
    needed = max((_MIN_SAMPLES.get(name, 0) for name in algorithms), default=0)
    if audio.size >= needed:
        return audio
    return np.pad(audio, (0, needed - audio.size))


def embed(
    audio: np.ndarray, embedding: Embedding, hops: Mapping[str, int], cache: AlgorithmCache
) -> np.ndarray:
    """Patch embeddings [patches, dimensions] from one backbone."""
    algorithm = embedding.meta.algorithm
    params = {
        "graphFilename": str(embedding.file.path),
        "input": embedding.meta.input_name,
        "output": embedding.output_name,
        "patchHopSize": int(hops.get(algorithm, REFERENCE_HOPS[algorithm])),
    }
    model = cache.get(algorithm, params, embedding.file.sha256)
    try:
        result = np.asarray(model(audio), dtype=np.float32)
    except RuntimeError as exc:
        raise InferenceError(f"{embedding.file.file_name}: {str(exc).strip()}") from None
    if result.ndim != 2 or result.shape[0] == 0:
        raise InferenceError(f"{embedding.file.file_name}: produced no patch embeddings")
    return result


def predict(embeddings: np.ndarray, head: Head, cache: AlgorithmCache) -> np.ndarray:
    """Per-patch predictions [patches, classes] of one head."""
    params = {
        "graphFilename": str(head.file.path),
        "input": head.meta.input_name,
        "output": head.output_name,
    }
    model = cache.get("TensorflowPredict2D", params, head.file.sha256)
    try:
        result = np.asarray(model(embeddings), dtype=np.float32)
    except RuntimeError as exc:
        raise InferenceError(f"{head.file.file_name}: {str(exc).strip()}") from None
    expected = len(head.classes) if head.classes is not None else 1
    if result.ndim != 2 or result.shape[1] != expected:
        raise InferenceError(
            f"{head.file.file_name}: produced shape {result.shape}, expected [patches, {expected}]"
        )
    return result


def pool(predictions: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Mean and standard deviation across patches, per class."""
    mean = predictions.mean(axis=0, dtype=np.float64)
    std = predictions.std(axis=0, dtype=np.float64)
    return tuple(float(v) for v in mean), tuple(float(v) for v in std)
