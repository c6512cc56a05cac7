"""Single-channel convolutions rewritten with their kernel rows as input channels
(library/tagging/conv_taps.py): the same outputs, only where the rewrite is exact, and the
front end's form chosen by timing both on this CPU."""

from __future__ import annotations

import numpy as np
import pytest

from library.tagging import conv_taps, framewise
from library.tagging.openvino_models import availability, compile_model, convert
from tests.support.musicnn_graph import EMBEDDINGS, INPUT, write_musicnn

pytestmark = pytest.mark.skipif(not availability()[0], reason=availability()[1])


def conv_model(
    channels=1, rows=7, cols=38, pads=(0, 0), strides=(1, 1), filters=8, auto_pad="explicit"
):
    import openvino
    from openvino import opset13

    rng = np.random.default_rng(rows * cols + channels)
    data = opset13.parameter([2, channels, 40, 96], np.float32)
    kernel = rng.normal(0, 0.1, (filters, channels, rows, cols)).astype(np.float32)
    conv = opset13.convolution(
        data,
        opset13.constant(kernel),
        list(strides),
        list(pads),
        list(pads),
        [1, 1],
        auto_pad,
    )
    bias = opset13.constant(rng.normal(0, 1, (1, filters, 1, 1)).astype(np.float32))
    return openvino.Model([opset13.relu(opset13.add(conv, bias))], [data])


def run(model, data):
    compiled = compile_model(model, "test", "exact", 1)
    return np.asarray(compiled.create_infer_request().infer([data])[0])


def single_row_convolutions(model):
    return [
        op
        for op in model.get_ordered_ops()
        if op.get_type_name() == "Convolution"
        and op.input_value(1).get_partial_shape()[1].get_length() == 1
        and op.input_value(1).get_partial_shape()[2].get_length() > 1
    ]


@pytest.mark.parametrize(
    "rows, cols, pads",
    [(7, 38, (0, 0)), (7, 67, (0, 0)), (2, 1, (0, 0)), (40, 96, (0, 0)), (7, 5, (3, 2))],
)
def test_the_rewrite_gives_the_same_outputs(rows, cols, pads):
    model = conv_model(rows=rows, cols=cols, pads=pads)
    data = np.random.default_rng(1).uniform(-2, 4, (2, 1, 40, 96)).astype(np.float32)

    rewritten = conv_taps.taps_as_channels(model)

    assert rewritten is not None and not single_row_convolutions(rewritten)
    expected = run(model, data)
    got = run(rewritten, data)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-5 * (1 + np.abs(expected).max())


@pytest.mark.parametrize("auto_pad", ["same_upper", "same_lower", "valid"])
@pytest.mark.parametrize("rows, cols", [(33, 1), (6, 4)])
def test_a_convolution_padded_by_auto_pad_is_rewritten_alike(auto_pad, rows, cols):
    """MusiCNN's temporal convolutions (165, 128 and 64 frames by one value) pad `same`."""
    model = conv_model(rows=rows, cols=cols, auto_pad=auto_pad)
    data = np.random.default_rng(2).uniform(-2, 4, (2, 1, 40, 96)).astype(np.float32)

    rewritten = conv_taps.taps_as_channels(model)

    assert rewritten is not None and not single_row_convolutions(rewritten)
    expected, got = run(model, data), run(rewritten, data)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-5 * (1 + np.abs(expected).max())


@pytest.mark.parametrize(
    "changes",
    [
        {"channels": 3},  # several input channels: oneDNN's own case
        {"rows": 1},  # nothing to move
        {"strides": (2, 1)},
    ],
)
def test_only_single_channel_convolutions_without_stride_are_rewritten(changes):
    assert conv_taps.taps_as_channels(conv_model(**changes)) is None


def test_the_musicnn_front_end_is_rewritten_whole(tmp_path):
    path = write_musicnn(tmp_path / "msd-musicnn-1.pb", filters=6)
    model = convert(path, INPUT, EMBEDDINGS, None)
    front = framewise._fixed(
        framewise.front_model(model, framewise.find_cuts(model, 187)), [[1, 300, 96]]
    )
    data = np.random.default_rng(2).uniform(-2, 5, (1, 300, 96)).astype(np.float32)

    rewritten = conv_taps.taps_as_channels(front)

    assert rewritten is not None and not single_row_convolutions(rewritten)
    assert len(single_row_convolutions(front)) == 2
    compiled = [compile_model(m, "test", "exact", 1) for m in (front, rewritten)]
    outputs = [c.create_infer_request().infer([data]) for c in compiled]
    for index in range(len(compiled[0].outputs)):
        expected, got = np.asarray(outputs[0][index]), np.asarray(outputs[1][index])
        assert np.abs(got - expected).max() <= 1e-5 * (1 + np.abs(expected).max())


def test_faster_names_the_cheaper_model():
    data = np.random.default_rng(3).uniform(-2, 4, (2, 1, 40, 96)).astype(np.float32)
    light = compile_model(conv_model(filters=4), "light", "exact", 1)
    heavy = compile_model(conv_model(filters=512), "heavy", "exact", 1)

    assert conv_taps.faster([heavy, light], [data]) == 1
    assert conv_taps.faster([light, heavy], [data]) == 0


@pytest.mark.parametrize("winner", [0, 1])
def test_the_split_keeps_the_form_timed_faster(tmp_path, monkeypatch, winner):
    path = write_musicnn(tmp_path / "msd-musicnn-1.pb", filters=6)
    timed = []
    monkeypatch.setattr(
        conv_taps, "faster", lambda candidates, data: timed.append(len(candidates)) or winner
    )

    split = framewise.build(path, INPUT, EMBEDDINGS, "exact", 1, 187, 1e-5)

    assert timed == [2, 2]  # the front end, then the rest (its temporal convolutions)
    assert split.form == split.back_form == framewise.FRONT_FORMS[winner]
