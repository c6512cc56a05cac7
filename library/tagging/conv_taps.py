"""MusiCNN's single-channel convolutions rewritten with their time taps as input channels.

Each timbral convolution reads one input channel (the mel frames) through a kernel 7 frames
long and 38 or 67 bands wide. oneDNN computes such a single-channel convolution poorly on CPUs
with 256-bit vectors: measured on an AMD EPYC (AVX2), 36-47 GFLOP/s of the core's ~78. The same
sums can be written with the kernel's rows as channels:

    conv(x, w)[n, o, t, f] = sum over i, j of w[o, 0, i, j] * x[n, 0, t + i, f + j]
                           = sum over i, j of w'[o, i, 0, j] * x'[n, i, t, f + j]

where x'[n, i, t] = x[n, 0, t + i] (the input gathered 7 times, shifted by one frame each) and
w' the kernel with its rows moved to the channel axis: a convolution with 7 input channels and a
kernel one row high, which runs at 58-68 GFLOP/s there. Same products, summed in another order,
so the outputs agree to float rounding. MusiCNN's temporal convolutions (165, 128 and 64 frames
by one value, padded `same`) read one channel too: their padding becomes an explicit zero Pad
before the gather, and they become 1x1 convolutions. Which form is faster depends on the CPU,
so the caller times both (`faster`) and keeps the winner.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np


def _rewritable(conv: Any) -> tuple[np.ndarray, list[int], list[int]] | None:
    """The constant kernel [out, 1, rows, cols] of a single-channel convolution with several
    rows and neither stride nor dilation, with its zero padding before and after each spatial
    axis; or None."""
    weights = conv.input_value(1).get_node()
    if weights.get_type_name() != "Constant":
        return None
    kernel = np.asarray(weights.get_data())
    if kernel.ndim != 4 or kernel.shape[1] != 1 or kernel.shape[2] < 2:
        return None
    attrs = conv.get_attributes()
    if any(s != 1 for s in attrs["strides"]) or any(d != 1 for d in attrs["dilations"]):
        return None
    shape = conv.input_value(0).get_partial_shape()
    if shape.rank.get_length() != 4 or not all(d.is_static for d in list(shape)[1:]):
        return None
    auto_pad = str(attrs.get("auto_pad", "explicit")).lower()
    if auto_pad in ("explicit", "notset"):
        return kernel, list(attrs["pads_begin"]), list(attrs["pads_end"])
    if auto_pad == "valid":
        return kernel, [0, 0], [0, 0]
    if auto_pad in ("same_upper", "same_lower"):  # stride 1: the output keeps the input's size
        totals = [size - 1 for size in kernel.shape[2:]]
        small = [total // 2 for total in totals]
        large = [total - half for total, half in zip(totals, small, strict=True)]
        return (kernel, small, large) if auto_pad == "same_upper" else (kernel, large, small)
    return None


def taps_as_channels(model: Any) -> Any | None:
    """A copy of `model` (input shapes already fixed) with every single-channel convolution of
    several rows rewritten as described above (its padding made an explicit zero Pad first);
    None when it has none."""
    import openvino
    from openvino import opset13

    copy = model.clone()
    changed = 0
    for conv in list(copy.get_ordered_ops()):
        if conv.get_type_name() != "Convolution":
            continue
        found = _rewritable(conv)
        if found is None:
            continue
        kernel, before, after = found
        rows = kernel.shape[2]
        data = conv.input_value(0)
        if any(before) or any(after):
            data = opset13.pad(data, [0, 0, *before], [0, 0, *after], "constant").output(0)
        height, width = (d.get_length() for d in list(data.get_partial_shape())[2:])
        out_rows = height - rows + 1
        index = np.arange(rows)[:, None] + np.arange(out_rows)[None, :]  # [rows, out_rows]
        gathered = opset13.gather(data, opset13.constant(index), opset13.constant(np.int64(2)))
        stacked = opset13.reshape(  # [n, 1, rows, out_rows, width] -> [n, rows, out_rows, width]
            gathered, opset13.constant(np.array([0, rows, out_rows, width], np.int64)), True
        )
        moved = np.ascontiguousarray(kernel.transpose(0, 2, 1, 3))  # [out, rows, 1, cols]
        replacement = opset13.convolution(
            stacked, opset13.constant(moved), [1, 1], [0, 0], [0, 0], [1, 1]
        )
        conv.output(0).replace(replacement.output(0))
        changed += 1
    if not changed:
        return None
    rewritten = openvino.Model(list(copy.get_results()), list(copy.get_parameters()), "taps")
    rewritten.validate_nodes_and_infer_types()
    return rewritten


def faster(candidates: list[Any], inputs: list[np.ndarray], rounds: int = 3) -> int:
    """The index of the compiled model that runs `inputs` in the least CPU time (the best of
    `rounds` runs each, taken in turn so a passing load hits them alike)."""
    requests = [compiled.create_infer_request() for compiled in candidates]
    for request in requests:
        request.infer(inputs)  # first runs allocate
    best = [float("inf")] * len(requests)
    for _ in range(rounds):
        for i, request in enumerate(requests):
            started = time.process_time()
            request.infer(inputs)
            best[i] = min(best[i], time.process_time() - started)
    return int(np.argmin(best))
