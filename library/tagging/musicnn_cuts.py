"""Where MusiCNN's graph is cut for framewise.py, found on the converted OpenVINO model by shape,
not by node names: every convolution whose kernel spans several frames and several bands, fed
from the input through per-frame operations and a pad over time, followed by per-frame
operations up to the first operation that mixes it with other branches. A graph of another
shape raises NotSplittable and runs whole. Also here: the front end (input to the cuts), the
rest (the cuts' outputs as extra inputs), and a front end padded on one side only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

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


def static_dims(output: Any) -> list[int | None]:
    return [d.get_length() if d.is_static else None for d in output.get_partial_shape()]


def _time_axis(output: Any, frames: int) -> int:
    dims = static_dims(output)
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
        if frames in static_dims(value) and kind not in {"Squeeze", "Unsqueeze", "Transpose"}:
            raise NotSplittable(f"{kind} has an operand that varies over time")


def _pad_before_after(conv: Any, frames: int) -> tuple[int, int]:
    """Frames of zero padding the convolution sees before and after the patch (an explicit Pad
    over time, plus the convolution's own padding)."""
    kernel = static_dims(conv.input_value(1))
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
        kernel = static_dims(op.input_value(1))
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


def one_sided(front: Any, side: str) -> Any | None:
    """A copy of the front end (input fixed to [batch, edge frames, bands]) whose convolutions
    over frames are padded only before the window (`lead`) or only after it (`trail`): on a
    patch's first (last) frames it gives just the frames next to that edge, half the work of
    padding both sides. None where the padding is not an explicit Pad node before each."""
    from openvino import opset13

    copy = front.clone()
    frames = static_dims(copy.inputs[0])[1]
    pads: dict[int, Any] = {}
    for op in copy.get_ordered_ops():
        kernel = static_dims(op.input_value(1)) if op.get_input_size() > 1 else []
        if op.get_type_name() != "Convolution" or len(kernel) != 4 or 1 in kernel[2:]:
            continue
        attrs = op.get_attributes()
        padded_inside = any(attrs["pads_begin"]) or any(attrs["pads_end"])
        same = str(attrs.get("auto_pad", "explicit")).lower() in ("same_upper", "same_lower")
        pad = op.input_value(0).get_node()
        if padded_inside or same or pad.get_type_name() != "Pad":
            return None
        pads[pad.get_instance_id()] = pad
    if not pads or frames is None:
        return None
    for pad in pads.values():
        try:
            time = _time_axis(pad.input_value(0), frames)
        except NotSplittable:
            return None
        port = 2 if side == "lead" else 1  # the pads to drop: after the window, or before it
        amounts = np.array(pad.input_value(port).get_node().get_data(), copy=True)
        amounts[time] = 0
        pad.input(port).replace_source_output(opset13.constant(amounts).output(0))
    copy.validate_nodes_and_infer_types()
    return copy


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
