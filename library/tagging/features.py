"""Mel frames and patches exactly as Essentia's TensorflowPredictEffnetDiscogs and
TensorflowPredictMusiCNN make them, so another engine can run the same graphs on the same input.

Both backbones read `TensorflowInputMusiCNN` frames (16 kHz, frame 512, hop 256, 96 bands)
from a `FrameCutter` in its default mode; the mel frames are computed once per track and shared.
Patches follow `VectorRealToTensor` with `lastPatchMode=discard` (a last partial patch is
dropped). MusiCNN feeds batches of 64 and a last smaller one. The EfficientNet algorithm first
zero-pads the signal so its patches should fill whole batches of 64 (`lastBatchMode=same`),
feeds only whole batches (a partial last one is discarded: the padding is computed from an
estimate of the frame count, which can be one frame short), and then drops the padding
patches' outputs. The padding adds whole frames of silence at the end, whose mel values are
exactly those of a silent frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from library.tagging import essentia_loader

FRAME_SIZE = 512
FRAME_HOP = 256
BANDS = 96
EFFNET = "TensorflowPredictEffnetDiscogs"
MUSICNN = "TensorflowPredictMusiCNN"
# Patch length in frames and the batch the algorithm feeds its graph.
PATCH_FRAMES = {EFFNET: 128, MUSICNN: 187}
BATCH = {EFFNET: 64, MUSICNN: 64}
MEL_ALGORITHMS = frozenset(PATCH_FRAMES)


def mel_frames(audio: np.ndarray) -> np.ndarray:
    """[frames, 96] log-mel frames of 16 kHz audio: Essentia's FrameCutter (its default first
    frame centred on sample 0, a last frame zero-padded) and TensorflowInputMusiCNN, the
    algorithms inside both backbones' networks. Standard mode gives the same frames as their
    streaming network and runs ten times faster from Python."""
    es = essentia_loader.standard()
    signal = np.ascontiguousarray(audio, dtype=np.float32)
    bands = es.TensorflowInputMusiCNN()
    frames = [bands(frame) for frame in es.FrameGenerator(signal, FRAME_SIZE, FRAME_HOP)]
    if not frames:
        return np.zeros((0, BANDS), dtype=np.float32)
    return np.asarray(frames, dtype=np.float32).reshape(-1, BANDS)


def _silent_frame() -> np.ndarray:
    """The mel values of an all-zero frame (the padding Essentia appends)."""
    es = essentia_loader.standard()
    return np.asarray(es.TensorflowInputMusiCNN()(np.zeros(FRAME_SIZE, np.float32)), np.float32)


def effnet_padding(samples: int, hop: int) -> int:
    """Patches TensorflowPredictEffnetDiscogs adds to fill its last batch of 64, computed as its
    `padSignal` does (in single precision, from an estimate of the frame count)."""
    f32 = np.float32
    hops = (f32(samples) - f32(FRAME_SIZE) / f32(2.0)) / f32(FRAME_HOP)
    frames = 1 + math.ceil(float(hops))
    patch_hops = (f32(frames) - f32(PATCH_FRAMES[EFFNET])) / f32(hop)
    patches = 1 + math.floor(float(patch_hops))
    batches = math.ceil(float(f32(patches) / f32(BATCH[EFFNET])))
    return batches * BATCH[EFFNET] - patches


def cut_patches(frames: np.ndarray, size: int, hop: int) -> np.ndarray:
    """[patches, size, bands]: patches starting every `hop` frames; a last partial patch is
    dropped (`lastPatchMode=discard`). A view, not a copy."""
    count = 0 if len(frames) < size else 1 + (len(frames) - size) // hop
    if count == 0:
        return np.zeros((0, size, frames.shape[1]), dtype=np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(frames, size, axis=0)[::hop][:count]
    return windows.transpose(0, 2, 1)


@dataclass
class TrackFeatures:
    """One track's mel frames, computed on first use (by `compute`: Essentia's algorithms, or
    fast_mel's NumPy version on the OpenVINO engine) and shared by every backbone."""

    audio: np.ndarray
    compute: Callable[[np.ndarray], np.ndarray] = mel_frames
    _frames: np.ndarray | None = None

    @property
    def frames(self) -> np.ndarray:
        if self._frames is None:
            self._frames = self.compute(self.audio)
        return self._frames

    def patches(self, algorithm: str, hop: int) -> tuple[np.ndarray, int]:
        """The patches the algorithm feeds its graph at this hop, and how many of them (at the
        end) are batch padding whose outputs Essentia drops."""
        size = PATCH_FRAMES[algorithm]
        frames, padding = self.frames, 0
        if algorithm == EFFNET:
            padding = effnet_padding(self.audio.size, hop)
            if padding:
                # padding * hop * 256 samples of silence are exactly padding * hop frames.
                silence = np.broadcast_to(_silent_frame(), (padding * hop, BANDS))
                frames = np.concatenate([frames, silence])
            patches = cut_patches(frames, size, hop)
            whole = len(patches) // BATCH[EFFNET] * BATCH[EFFNET]
            return patches[:whole], min(padding, whole)
        return cut_patches(frames, size, hop), padding
