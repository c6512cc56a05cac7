"""MusiCNN's timbral front end computed once per mel frame instead of once per patch.

MusiCNN patches (187 frames) overlap by half at the reference hop, and most of the network's
arithmetic (the two 7-frame timbral convolutions, ~95 %) is local in time: each output frame
depends only on the 7 input frames around it. So the front end is run over the track in a few
long chunks, each patch takes its frames from there, and only the frames next to a patch's edges,
which see the patch's zero padding instead of their neighbours, are recomputed on short edge
windows cut from the patch itself. The rest of the network runs per patch as before. Same
arithmetic, same graph weights: results agree with the whole graph to float rounding, and a
self-check on random frames compares them before the split is ever used.

The cut is found on the converted OpenVINO model, not by node names: every convolution whose
kernel spans several frames and several bands, fed from the input through per-frame operations
and a pad over time, followed by per-frame operations up to the first operation that mixes it with
other branches. A graph of another shape raises NotSplittable and runs whole.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

# Operations that act on each frame by itself (given constant second operands that do not vary
# over time), so a frame's result does not depend on where its patch starts.
_PER_FRAME = frozenset(
    {
        "Add",
        "Subtract",
        "Multiply",
        "Divide",
        "Relu",
        "Clamp",
        "Sigmoid",
        "Swish",
        "Squeeze",
        "Unsqueeze",
        "Transpose",
        "Convert",
    }
)
CHUNK_FRAMES = 1024  # frames per front-end chunk: ~75 MB of activations at MusiCNN's size


class NotSplittable(Exception):
    """The graph is not MusiCNN-shaped; it runs whole."""


@dataclass(frozen=True)
class Cut:
    """One timbral branch: the op whose output the rest of the graph reads, where time is in
    that output, and how many frames of padding the branch adds before and after a patch."""

    index: int  # position in model.get_ordered_ops()
    time_axis: int
    before: int
    after: int


def _constant(node: Any) -> bool:
    return bool(node.get_type_name() == "Constant")


def _static_dims(output: Any) -> list[int | None]:
    return [d.get_length() if d.is_static else None for d in output.get_partial_shape()]


def _time_axis(output: Any, frames: int) -> int:
    dims = _static_dims(output)
    axes = [axis for axis, dim in enumerate(dims) if dim == frames]
    if len(axes) != 1:
        raise NotSplittable(f"cannot tell the time axis of a {dims} tensor")
    return axes[0]


def _check_per_frame(node: Any, frames: int) -> None:
    """Raise unless `node` treats each frame alike: a per-frame op whose other inputs are
    constants without a time extent, or a pool one frame long."""
    kind = node.get_type_name()
    if kind == "MaxPool" or kind == "AvgPool":
        axis = _time_axis(node.input_value(0), frames)
        spatial = axis - 2
        if spatial < 0 or node.get_attributes()["kernel"][spatial] != 1:
            raise NotSplittable("a pool spans frames")
        if node.get_attributes()["strides"][spatial] != 1:
            raise NotSplittable("a pool strides over frames")
        return
    if kind not in _PER_FRAME:
        raise NotSplittable(f"{kind} is not a per-frame operation")
    for value in node.input_values()[1:]:
        source = value.get_node()
        if not _constant(source):
            raise NotSplittable(f"{kind} mixes two computed tensors")
        if frames in _static_dims(value) and kind not in {"Squeeze", "Unsqueeze", "Transpose"}:
            raise NotSplittable(f"{kind} has an operand that varies over time")


def _pad_before_after(conv: Any, frames: int) -> tuple[int, int]:
    """Frames of zero padding the convolution sees before and after the patch (an explicit Pad
    over time, plus the convolution's own padding)."""
    kernel = _static_dims(conv.input_value(1))
    data = conv.input_value(0)
    time = _time_axis_of_input(conv, frames)
    spatial = time - 2
    attrs = conv.get_attributes()
    if attrs["strides"][spatial] != 1 or attrs["dilations"][spatial] != 1:
        raise NotSplittable("a convolution strides or dilates over time")
    length = kernel[2 + spatial]
    if length is None:
        raise NotSplittable("a convolution of unknown length")
    auto_pad = str(attrs.get("auto_pad", "explicit")).lower()
    if auto_pad in ("same_upper", "same_lower"):
        after = (length - 1) // 2 if auto_pad == "same_lower" else (length - 1) - (length - 1) // 2
        before = length - 1 - after
    else:
        before, after = int(attrs["pads_begin"][spatial]), int(attrs["pads_end"][spatial])
    pad = data.get_node()
    if pad.get_type_name() == "Pad":
        begin = pad.input_value(1).get_node().get_data()
        end = pad.input_value(2).get_node().get_data()
        before, after = before + int(begin[time]), after + int(end[time])
        filler = pad.input_value(3).get_node() if pad.get_input_size() > 3 else None
        zeros = filler is None or (_constant(filler) and not np.any(filler.get_data()))
        if pad.get_attributes().get("pad_mode", "constant") != "constant" or not zeros:
            raise NotSplittable("a pad that is not zeros")
    if before + after != length - 1:
        raise NotSplittable("a convolution that changes the number of frames")
    return before, after


def _time_axis_of_input(conv: Any, frames: int) -> int:
    """The time axis of the convolution's input: the axis that is `frames` long before the
    padding (its input is a Pad, or the unpadded tensor)."""
    data = conv.input_value(0)
    node = data.get_node()
    source = node.input_value(0) if node.get_type_name() == "Pad" else data
    return _time_axis(source, frames)


def _check_upstream(node: Any, frames: int) -> None:
    """The path from the convolution's input back to the parameter is per-frame."""
    while node.get_type_name() != "Parameter":
        if node.get_type_name() == "Pad":
            node = node.input_value(0).get_node()
            continue
        _check_per_frame(node, frames)
        node = node.input_value(0).get_node()


def find_cuts(model: Any, frames: int) -> list[Cut]:
    """The timbral branches of a converted MusiCNN-shaped model with `frames`-frame patches.
    Raises NotSplittable."""
    ops = list(model.get_ordered_ops())
    position = {op.get_instance_id(): i for i, op in enumerate(ops)}
    cuts = []
    for op in ops:
        if op.get_type_name() != "Convolution":
            continue
        if not _constant(op.input_value(1).get_node()):
            continue
        kernel = _static_dims(op.input_value(1))
        if len(kernel) != 4 or kernel[2] in (None, 1) or kernel[3] in (None, 1):
            continue  # not a 2-D kernel over frames and bands
        _check_upstream(op.input_value(0).get_node(), frames)
        before, after = _pad_before_after(op, frames)
        node = op
        while True:
            targets = [t.get_node() for t in node.output(0).get_target_inputs()]
            if len(targets) != 1:
                break
            try:
                _check_per_frame(targets[0], frames)
            except NotSplittable:
                break
            node = targets[0]
        output = node.output(0)
        cuts.append(
            Cut(position[node.get_instance_id()], _time_axis(output, frames), before, after)
        )
    if not cuts:
        raise NotSplittable("no convolution over frames and bands")
    return cuts


def front_model(model: Any, cuts: list[Cut]) -> Any:
    """The front end alone: the input to every cut's output (a copy; `model` is untouched)."""
    import openvino

    copy = model.clone()
    ops = list(copy.get_ordered_ops())
    outputs = [ops[cut.index].output(0) for cut in cuts]
    return openvino.Model(outputs, list(copy.get_parameters()), "front")


def back_model(model: Any, cuts: list[Cut]) -> Any:
    """The rest: the original input plus one input per cut (a copy; `model` is untouched)."""
    import openvino
    from openvino import opset13

    copy = model.clone()
    ops = list(copy.get_ordered_ops())
    inputs = list(copy.get_parameters())
    for cut in cuts:
        output = ops[cut.index].output(0)
        parameter = opset13.parameter(output.get_partial_shape(), output.get_element_type())
        output.replace(parameter.output(0))
        inputs.append(parameter)
    back = openvino.Model(list(copy.get_results()), inputs, "back")
    back.validate_nodes_and_infer_types()
    return back


@dataclass
class FramewiseGraph:
    """MusiCNN compiled in two parts: the front end (any batch and length: long chunks of a
    track, short windows at patch edges) and the rest of the network per patch."""

    name: str
    cuts: list[Cut]
    frames: int  # patch length
    front: Any  # compiled front end, input [batch, frames, bands], one output per cut
    back: Any  # compiled rest: inputs the patches, then one per cut
    batch: int = 64
    chunk_frames: int = CHUNK_FRAMES

    @property
    def feature_size(self) -> int:
        """Values per mel frame (bands) the graph reads."""
        return int(self.front.inputs[0].get_partial_shape()[2].get_length())

    @property
    def edge_frames(self) -> int:
        return max(cut.before + cut.after for cut in self.cuts)

    def __call__(self, frames: np.ndarray, hop: int) -> np.ndarray:
        """The graph's output for every patch `cut_patches(frames, self.frames, hop)` makes."""
        size = self.frames
        count = 0 if len(frames) < size else 1 + (len(frames) - size) // hop
        if count == 0:
            return np.zeros((0, 0), dtype=np.float32)
        used = np.ascontiguousarray(frames[: (count - 1) * hop + size], dtype=np.float32)
        windows = np.lib.stride_tricks.sliding_window_view(used, size, axis=0)[::hop][:count]
        patches = np.ascontiguousarray(windows.transpose(0, 2, 1))
        branches = []
        for whole in self._over_track(used):
            per_patch = np.lib.stride_tricks.sliding_window_view(whole, size, axis=0)[::hop]
            branches.append(np.array(per_patch[:count].transpose(0, 2, 1), order="C"))
        self._fix_edges(branches, patches)
        return self._back(patches, branches)

    def _run_front(self, request: Any, data: np.ndarray) -> list[np.ndarray]:
        """Front-end outputs for `data` [batch, length, bands], time second: [batch, length, C]."""
        results = request.infer([data])
        return [
            np.moveaxis(np.asarray(results[i]), cut.time_axis, 1) for i, cut in enumerate(self.cuts)
        ]

    def _over_track(self, used: np.ndarray) -> list[np.ndarray]:
        """Each cut's output for every frame [frames, C], as a patch's interior sees it: long
        chunks overlapping by the padding, each keeping the frames its padding does not reach."""
        length, margin = len(used), max(max(c.before, c.after) for c in self.cuts)
        request = self.front.create_infer_request()
        wholes: list[np.ndarray] = []
        step = self.chunk_frames - 2 * margin
        starts = list(range(0, max(1, length - self.chunk_frames + 1), step))
        if starts[-1] + self.chunk_frames < length:
            starts.append(length - self.chunk_frames)
        for start in starts:
            stop = min(length, start + self.chunk_frames)
            outputs = self._run_front(request, used[None, start:stop])
            keep_from = start + (margin if start else 0)
            keep_to = stop - (margin if stop < length else 0)
            for index, output in enumerate(outputs):
                if not wholes or len(wholes) <= index:
                    wholes.append(np.empty((length, *output.shape[2:]), dtype=np.float32))
                wholes[index][keep_from:keep_to] = output[0, keep_from - start : keep_to - start]
        return wholes

    def _fix_edges(self, branches: list[np.ndarray], patches: np.ndarray) -> None:
        """Recompute the frames next to each patch's edges, which see its zero padding."""
        edge, size = self.edge_frames, self.frames
        request = self.front.create_infer_request()
        for start in range(0, len(patches), self.batch):
            chunk = patches[start : start + self.batch]
            windows = np.concatenate([chunk[:, :edge], chunk[:, size - edge :]])
            outputs = self._run_front(request, np.ascontiguousarray(windows))
            rows = len(chunk)
            for branch, cut, output in zip(branches, self.cuts, outputs, strict=True):
                part = branch[start : start + rows]
                if cut.before:
                    part[:, : cut.before] = output[:rows, : cut.before]
                if cut.after:
                    part[:, size - cut.after :] = output[rows:, edge - cut.after :]

    def _back(self, patches: np.ndarray, branches: list[np.ndarray]) -> np.ndarray:
        request = self.back.create_infer_request()
        results = []
        for start in range(0, len(patches), self.batch):
            inputs = [patches[start : start + self.batch]]
            for branch, cut in zip(branches, self.cuts, strict=True):
                part = branch[start : start + self.batch]
                inputs.append(np.ascontiguousarray(np.moveaxis(part, 1, cut.time_axis)))
            results.append(np.array(request.infer(inputs)[0], dtype=np.float32))
        return np.concatenate(results)


def build(
    path: Path,
    input_name: str,
    output_name: str,
    precision: str,
    threads: int,
    frames: int,
    tolerance: float,
) -> FramewiseGraph:
    """Convert, split and compile a MusiCNN-shaped graph, then check the split on random
    frames against the whole graph: every output within `tolerance` x (1 + |value|).
    Raises NotSplittable (also when the check fails) or Unconvertible."""
    from library.tagging.openvino_models import compile_model, convert

    model = convert(path, input_name, output_name, None)
    cuts = find_cuts(model, frames)
    front = front_model(model, cuts)
    shape = front.inputs[0].get_partial_shape()
    shape[0], shape[1] = -1, -1
    front.reshape(shape)
    graph = FramewiseGraph(
        path.name,
        cuts,
        frames,
        compile_model(front, f"{path.name} (front end)", precision, threads),
        compile_model(back_model(model, cuts), f"{path.name} (back end)", precision, threads),
    )
    whole = compile_model(model, f"{path.name} (check)", precision, threads)
    _self_check(graph, whole, tolerance)
    return graph


def _self_check(graph: FramewiseGraph, whole: Any, tolerance: float) -> None:
    """Four patches at two hops through the split (in chunks shorter than the track, so chunk
    seams are crossed) and through the whole graph."""
    rng = np.random.default_rng(0)
    margin = max(max(cut.before, cut.after) for cut in graph.cuts)
    small = replace(graph, chunk_frames=4 * margin + graph.frames // 3)
    request = whole.create_infer_request()
    for hop in (graph.frames // 2, graph.frames):
        frames = rng.uniform(-2.0, 4.0, (graph.frames + 3 * hop, graph.feature_size))
        frames = frames.astype(np.float32)
        got = small(frames, hop)
        windows = np.lib.stride_tricks.sliding_window_view(frames, graph.frames, axis=0)[::hop]
        patches = np.ascontiguousarray(windows[: len(got)].transpose(0, 2, 1))
        expected = np.asarray(request.infer([patches])[0], dtype=np.float32)
        error = np.abs(got - expected) / (1.0 + np.abs(expected))
        if got.shape != expected.shape or float(error.max()) > tolerance:
            raise NotSplittable(
                f"the split disagrees with the whole graph (by {float(error.max()):.2g})"
            )
