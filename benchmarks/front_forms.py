"""MusiCNN's timbral convolutions in every form tried, timed on this CPU (issue 13's levers).

The two timbral convolutions (204 filters each, 7 frames by 38 and by 67 bands over one input
channel, then the maximum over frequency, as msd-musicnn computes them) are most of MusiCNN's
arithmetic and of `fast`'s time. This builds them for one chunk of frames in each form and
prints CPU-seconds per chunk (one thread, best of `--repeat`), the projection to a 4-minute
track (15,000 frames) and each form's largest difference from the published form in f32:

- `published`: the convolutions as the graph has them (what `exact` and `fast` start from);
- `taps`: the kernel rows as input channels (library/tagging/conv_taps.py; the app times this
  against `published` on each CPU and keeps the faster);
- `dft`: correlation through a real DFT along frequency: a MatMul into 49 complex bins, the
  per-bin products summed over the 7 frames as a GroupConvolution (one group per bin), a
  Transpose and a MatMul back to the band positions. 2.6 times fewer multiply-adds;
- `int8`: FakeQuantize on the input (per tensor, the chunk's range) and on the kernels (per
  filter), which OpenVINO runs as u8 x i8 convolutions where the CPU has VNNI.

Each form runs in f32 and in the CPU's reduced precision where it has one. Weights are random
(fixed seed): the arithmetic does not depend on them.

    .venv/bin/python -m benchmarks.front_forms [--frames 1030] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from library.tagging.conv_taps import taps_as_channels
from library.tagging.openvino_models import compile_model, reduced_precision

BANDS = 96
FILTERS = 204
KERNELS = ((7, 38), (7, 67))  # (frames, bands) of msd-musicnn's two timbral convolutions
TRACK_FRAMES = 15_000  # a 4-minute track at 16 kHz, hop 256
BINS = BANDS // 2 + 1


def kernels(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((FILTERS, 1, rows, cols)) * 0.05).astype(np.float32)
        for rows, cols in KERNELS
    ]


def _pooled(outputs: list[Any]) -> Any:
    """Bias, ReLU and the maximum over frequency of each convolution, concatenated."""
    bias = ops.constant(np.full((1, FILTERS, 1, 1), 0.1, np.float32))
    pooled = [
        ops.reduce_max(ops.relu(ops.add(out, bias)), ops.constant([3]), keep_dims=False)
        for out in outputs
    ]
    return ops.concat(pooled, 1)


def published(frames: int, weights: list[np.ndarray], chunk: np.ndarray) -> Any:
    source = ops.parameter([1, 1, frames, BANDS], np.float32)
    convs = [
        ops.convolution(source, ops.constant(w), [1, 1], [0, 0], [0, 0], [1, 1]) for w in weights
    ]
    return ov.Model([_pooled(convs)], [source])


def taps(frames: int, weights: list[np.ndarray], chunk: np.ndarray) -> Any:
    return taps_as_channels(published(frames, weights, chunk))


def int8(frames: int, weights: list[np.ndarray], chunk: np.ndarray) -> Any:
    source = ops.parameter([1, 1, frames, BANDS], np.float32)
    low, high = ops.constant(np.float32(chunk.min())), ops.constant(np.float32(chunk.max()))
    quantized = ops.fake_quantize(source, low, high, low, high, 256)
    convs = []
    for w in weights:
        bound = np.abs(w).reshape(FILTERS, -1).max(1).reshape(-1, 1, 1, 1).astype(np.float32)
        lo, hi = ops.constant(-bound), ops.constant(bound)
        kernel = ops.fake_quantize(ops.constant(w), lo, hi, lo, hi, 255)
        convs.append(ops.convolution(quantized, kernel, [1, 1], [0, 0], [0, 0], [1, 1]))
    return ov.Model([_pooled(convs)], [source])


def dft(frames: int, weights: list[np.ndarray], chunk: np.ndarray) -> Any:
    """y[f] = sum_j x[f + j] w[j] for the valid positions f is the inverse DFT of X[b] conj(W[b])
    over 96 bands (the wrap-around only reaches positions past the valid ones)."""
    source = ops.parameter([1, 1, frames, BANDS], np.float32)
    bands = np.arange(BANDS)
    angle = 2 * np.pi * np.outer(bands, np.arange(BINS)) / BANDS
    forward = np.concatenate([np.cos(angle), -np.sin(angle)], axis=1).astype(np.float32)
    spectrum = ops.matmul(source, ops.constant(forward), False, False)  # [1, 1, T, 2 x bins]
    spectrum = ops.transpose(ops.reshape(spectrum, [1, frames, 2, BINS], False), [0, 3, 2, 1])
    spectrum = ops.reshape(spectrum, [1, 2 * BINS, frames, 1], False)  # channel = bin x 2 + re/im
    rows = frames - KERNELS[0][0] + 1
    scale = np.full(BINS, 2.0)
    scale[0] = scale[-1] = 1.0
    convs = []
    for w in weights:
        positions = BANDS - w.shape[3] + 1
        padded = np.zeros((FILTERS, w.shape[2], BANDS))
        padded[:, :, : w.shape[3]] = w[:, 0]
        conj = np.conj(np.fft.rfft(padded, axis=2)).transpose(2, 0, 1)  # [bins, filters, rows]
        grouped = np.zeros((BINS, 2 * FILTERS, 2, w.shape[2], 1), np.float32)
        grouped[:, 0::2, 0, :, 0], grouped[:, 0::2, 1, :, 0] = conj.real, -conj.imag
        grouped[:, 1::2, 0, :, 0], grouped[:, 1::2, 1, :, 0] = conj.imag, conj.real
        product = ops.group_convolution(
            spectrum, ops.constant(grouped), [1, 1], [0, 0], [0, 0], [1, 1]
        )  # [1, bins x filters x 2, rows, 1]
        product = ops.transpose(ops.reshape(product, [BINS, FILTERS, 2, rows], False), [1, 3, 2, 0])
        product = ops.reshape(product, [1, FILTERS, rows, 2 * BINS], False)
        back = 2 * np.pi * np.outer(np.arange(BINS), np.arange(positions)) / BANDS
        inverse = (
            np.concatenate([scale[:, None] * np.cos(back), -scale[:, None] * np.sin(back)], axis=0)
            / BANDS
        )
        convs.append(ops.matmul(product, ops.constant(inverse.astype(np.float32)), False, False))
    return ov.Model([_pooled(convs)], [source])


FORMS: dict[str, Callable[[int, list[np.ndarray], np.ndarray], Any]] = {
    "published": published,
    "taps": taps,
    "dft": dft,
    "int8": int8,
}


def cpu_seconds(compiled: Any, chunk: np.ndarray, repeat: int) -> tuple[float, np.ndarray]:
    request = compiled.create_infer_request()
    output = np.array(request.infer([chunk])[0])
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        request.infer([chunk])
        best = min(best, time.process_time() - started)
    return best, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=1030, help="frames per chunk (1030)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per form (5)")
    args = parser.parse_args()
    weights = kernels()
    chunk = (np.random.default_rng(1).random((1, 1, args.frames, BANDS)) * 4).astype(np.float32)
    precisions = ["exact"] + (["fast"] if reduced_precision() else [])
    print(
        f"Reduced precision here: {reduced_precision() or 'none'}; one thread, best of "
        f"{args.repeat}; a track = {TRACK_FRAMES} frames"
    )
    print(
        f"{'form':<10} {'precision':<9} {'CPU s/chunk':>11} {'CPU s/track':>11} "
        f"{'max |diff|':>10} {'scale':>7}"
    )
    reference = None
    for name, build in FORMS.items():
        for precision in precisions:
            model = build(args.frames, weights, chunk)
            if model is None:
                print(f"{name:<10} {precision:<9} (no such form for these convolutions)")
                continue
            compiled = compile_model(model, f"front form {name}", precision, 1)
            seconds, output = cpu_seconds(compiled, chunk, args.repeat)
            if reference is None:
                reference = output
            per_track = seconds * TRACK_FRAMES / (args.frames - KERNELS[0][0] + 1)
            diff = float(np.abs(output - reference).max())
            scale = float(np.abs(reference).max())
            print(
                f"{name:<10} {precision:<9} {seconds:>11.4f} {per_track:>11.2f} "
                f"{diff:>10.2e} {scale:>7.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
