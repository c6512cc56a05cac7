"""The mel frames of features.mel_frames computed with NumPy in one pass, for the OpenVINO engine.

Essentia computes `TensorflowInputMusiCNN` one frame per Python call, and at 15,000 frames a
track the calls cost more than the arithmetic. Here every frame is windowed, transformed and
banded at once: the same Hann window and mel filter bank (both read from Essentia's own
algorithms, so they are Essentia's numbers), a single-precision FFT, and the same
`log10(1 + 10000 x)` compression. The FFT rounds differently from Essentia's, so values differ
in the seventh digit (measured: at most 3e-6 on values up to ~5), which moves no pooled score by
1e-5 (the engine tests hold `exact` to that on every format). Before it is used in a process, a
check compares both on a generated signal; a difference above the precision's bound keeps
Essentia's frames, with a warning.
"""

from __future__ import annotations

import logging
from functools import cache

import numpy as np

from library.tagging import essentia_loader
from library.tagging.features import BANDS, FRAME_HOP, FRAME_SIZE, mel_frames

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
# The check's bound on any frame value's difference from Essentia's, by precision setting.
TOLERANCE = {"exact": 1e-5, "fast": 1e-4}
_BLOCK = 4096  # frames transformed at once (8 MB of samples)


@cache
def _window_and_bank() -> tuple[np.ndarray, np.ndarray]:
    """Essentia's Hann window [512] and mel filter bank [257, 96] as TensorflowInputMusiCNN
    configures them: the window applied to ones, the bank to each spectrum bin in turn."""
    es = essentia_loader.standard()
    window = es.Windowing(type="hann", normalized=False, zeroPhase=False, size=FRAME_SIZE)
    bands = es.MelBands(
        inputSize=FRAME_SIZE // 2 + 1,
        numberBands=BANDS,
        sampleRate=SAMPLE_RATE,
        lowFrequencyBound=0,
        highFrequencyBound=SAMPLE_RATE // 2,
        warpingFormula="slaneyMel",
        weighting="linear",
        normalize="unit_tri",
        type="power",
        log=False,
    )
    basis = np.eye(FRAME_SIZE // 2 + 1, dtype=np.float32)
    bank = np.stack([np.asarray(bands(row), dtype=np.float32) for row in basis])
    return np.asarray(window(np.ones(FRAME_SIZE, np.float32)), dtype=np.float32), bank


def frame_count(samples: int) -> int:
    """Frames Essentia's FrameCutter cuts: centred every 256 samples from sample 0 while the
    signal lasts (none from an empty signal)."""
    return 0 if samples == 0 else -(-samples // FRAME_HOP) + 1


def vectorised_mel_frames(audio: np.ndarray) -> np.ndarray:
    """[frames, 96] log-mel frames of 16 kHz audio, as features.mel_frames gives them."""
    count = frame_count(audio.size)
    if count == 0:
        return np.zeros((0, BANDS), dtype=np.float32)
    window, bank = _window_and_bank()
    half = FRAME_SIZE // 2  # the first frame is centred on sample 0
    padded = np.zeros((count - 1) * FRAME_HOP + FRAME_SIZE, dtype=np.float32)
    padded[half : half + audio.size] = audio
    frames = np.lib.stride_tricks.sliding_window_view(padded, FRAME_SIZE)[::FRAME_HOP]
    out = np.empty((count, BANDS), dtype=np.float32)
    for start in range(0, count, _BLOCK):
        spectrum = np.fft.rfft(frames[start : start + _BLOCK] * window, axis=1)
        power = spectrum.real**2 + spectrum.imag**2
        out[start : start + _BLOCK] = np.log10(np.float32(1) + np.float32(10000) * (power @ bank))
    return out


@cache
def agrees_with_essentia(precision: str) -> bool:
    """Whether this process's NumPy frames match Essentia's within the precision's bound on two
    seconds of generated sound; False, with a warning, when they do not."""
    error = difference_from_essentia()
    if error > TOLERANCE[precision]:
        logger.warning(
            "Mel frames come from Essentia one frame at a time (%s): NumPy's differ by %.2g",
            precision,
            error,
        )
        return False
    return True


@cache
def difference_from_essentia() -> float:
    """The largest difference between NumPy's frames and Essentia's on two seconds of generated
    sound (a tone, noise, silence and a partial last frame) in this process."""
    rng = np.random.default_rng(0)
    t = np.arange(2 * SAMPLE_RATE, dtype=np.float64) / SAMPLE_RATE
    signal = 0.4 * np.sin(2 * np.pi * 440 * t) + rng.normal(0, 0.1, t.size)
    signal[SAMPLE_RATE // 2 : SAMPLE_RATE] = 0
    audio = signal.astype(np.float32)[: 2 * SAMPLE_RATE - 77]  # a partial last frame too
    expected, got = mel_frames(audio), vectorised_mel_frames(audio)
    return float(np.abs(expected - got).max()) if got.shape == expected.shape else np.inf
