"""Arithmetic of the tagging benchmark: floating-point operations per patch of a graph
(convolutions and matrix products, counted on the OpenVINO model) and the CPU's f32 peak
(cores x clock x FMA lanes), with the derivation printed beside the figure."""

from __future__ import annotations

import os
from dataclasses import dataclass
from math import prod
from pathlib import Path

from library.tagging.openvino_models import convert


def _dims(shape) -> list[int]:
    return [int(d) for d in shape]


def graph_flops(path: Path, input_name: str, output_name: str) -> float:
    """FLOPs of one patch (batch 1): 2 per multiply-add of every convolution and matrix
    product; the element-wise rest (batch norm, activations, pooling) is left out."""
    return model_flops(convert(path, input_name, output_name, 1))


def framewise_flops(
    path: Path, input_name: str, output_name: str, frames: int, patches: int
) -> float | None:
    """FLOPs OpenVINO computes for `patches` patches of MusiCNN split per frame (the front end
    over `frames` frames and the frames next to each patch's edges, the rest per patch), or None
    when the graph does not split."""
    from library.tagging import musicnn_cuts

    model = convert(path, input_name, output_name, 1)
    length = int(model.inputs[0].get_partial_shape()[1].get_length())
    try:
        cuts = musicnn_cuts.find_cuts(model, length)
    except musicnn_cuts.NotSplittable:
        return None
    front_per_frame = model_flops(musicnn_cuts.front_model(model, cuts)) / length
    back = model_flops(musicnn_cuts.back_model(model, cuts))
    # Each edge window is padded on one side only (framewise.one_sided) and gives the frames
    # next to its edge: before + after frames per patch in all.
    edges = max(cut.before + cut.after for cut in cuts)
    return front_per_frame * (frames + edges * patches) + back * patches


def model_flops(model) -> float:
    """FLOPs of a converted model at its static shapes (see graph_flops)."""
    total = 0.0
    for op in model.get_ordered_ops():
        kind = op.get_type_name()
        if kind in ("Convolution", "GroupConvolution"):
            out = _dims(op.get_output_shape(0))
            weights = _dims(op.get_input_shape(1))
            if kind == "GroupConvolution":  # [groups, out/groups, in/groups, kh, kw]
                per_output = prod(weights[2:])
            else:  # [out, in, kh, kw]
                per_output = prod(weights[1:])
            total += 2.0 * prod(out) * per_output
        elif kind == "MatMul":
            out = _dims(op.get_output_shape(0))
            left = _dims(op.get_input_shape(0))
            transposed = op.get_attributes().get("transpose_a", False)
            inner = left[-2] if transposed and len(left) > 1 else left[-1]
            total += 2.0 * prod(out) * inner
    return total


@dataclass(frozen=True)
class CpuPeak:
    gflops: float
    derivation: str


def _cpuinfo() -> dict[str, str]:
    found: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        key, _, value = line.partition(":")
        found.setdefault(key.strip(), value.strip())
    return found


def _clock_ghz(info: dict[str, str]) -> tuple[float, str]:
    limit = Path("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
    try:
        return int(limit.read_text()) / 1e6, "cpufreq's maximum"
    except (OSError, ValueError):
        pass
    try:
        return float(info.get("cpu MHz", "0")) / 1000, "/proc/cpuinfo's cpu MHz"
    except ValueError:
        return 0.0, "unknown"


def cpu_peak() -> CpuPeak:
    """f32 peak = cores x clock x FLOPs per cycle; FLOPs per cycle = 2 (an FMA) x 2 FMA pipes x
    the f32 lanes of each pipe (16 with AVX-512 on Intel; 8 with AVX2, and with AVX-512 on AMD
    Zen 4, whose pipes are 256 bits wide and run a 512-bit operation in two halves)."""
    info = _cpuinfo()
    flags = set(info.get("flags", "").split())
    amd = info.get("vendor_id") == "AuthenticAMD"
    if "avx512f" in flags and not amd:
        lanes, why = 16, "AVX-512, two 512-bit FMA pipes"
    elif "avx512f" in flags:
        lanes, why = 8, "AVX-512 on two 256-bit FMA pipes (AMD Zen 4)"
    elif "avx2" in flags and "fma" in flags:
        lanes, why = 8, "AVX2, two 256-bit FMA pipes"
    else:
        lanes, why = 4, "SSE, two 128-bit pipes"
    per_cycle = 2 * 2 * lanes
    cores = os.cpu_count() or 1
    clock, source = _clock_ghz(info)
    derivation = (
        f"{cores} cores x {clock:.2f} GHz ({source}) x {per_cycle} f32 FLOP/cycle "
        f"({why}: 2 pipes x {lanes} lanes x 2 for multiply-add); {info.get('model name', '?')}"
    )
    return CpuPeak(cores * clock * per_cycle, derivation)
