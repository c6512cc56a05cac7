"""MusiCNN's front end run once per frame (library/tagging/framewise.py): where the graph is cut,
that the split gives the whole graph's outputs for every track length, hop and chunk seam, and
that a graph of another shape, or a split that fails its check, runs whole."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2

from library.tagging import framewise
from library.tagging.cache import AlgorithmCache
from library.tagging.engines import EngineSettings, EssentiaEngine, OpenVinoEngine
from library.tagging.features import MUSICNN, TrackFeatures, cut_patches
from library.tagging.model_suite import discover
from library.tagging.openvino_models import availability, compile_graph, compile_model, convert
from library.tagging.steps import FAST_HOPS, REFERENCE_HOPS
from tests.support.graphs import MUSICNN as MUSICNN_GRAPH
from tests.support.graphs import write_backbone
from tests.support.musicnn_graph import (
    EMBEDDINGS,
    INPUT,
    PREDICTIONS,
    _MusiCNN,
    write_musicnn,
)

pytestmark = pytest.mark.skipif(not availability()[0], reason=availability()[1])

EXACT = EngineSettings("openvino", "exact", 1)


@pytest.fixture(scope="module")
def musicnn(tmp_path_factory):
    return write_musicnn(tmp_path_factory.mktemp("graphs") / "msd-musicnn-1.pb", filters=6)


def split_and_whole(path, output=EMBEDDINGS, chunk=framewise.CHUNK_FRAMES, forms=("published",)):
    split = framewise.build(
        path, INPUT, output, "exact", 1, 187, 1e-5, chunk_frames=chunk, forms=forms
    )
    whole = compile_graph(path, INPUT, output, None, "exact", 1)
    return split, whole


def assert_equal_to_scale(got, expected, tolerance=1e-5):
    """Equal within `tolerance` of the outputs' scale (1 + their largest magnitude), the measure
    of the split's own check: raw activations reach tens, where float rounding in another order
    of summation (another CPU's kernels) moves the fifth decimal."""
    assert got.shape == expected.shape
    scale = 1.0 + float(np.abs(expected).max())
    assert float(np.abs(got - expected).max()) <= tolerance * scale


def test_the_published_layout_is_cut_after_its_two_timbral_convolutions(musicnn):
    cuts = framewise.find_cuts(convert(musicnn, INPUT, EMBEDDINGS, None), 187)

    assert len(cuts) == 2
    assert all((cut.before, cut.after) == (3, 3) for cut in cuts)


@pytest.mark.parametrize("frames", [187, 200, 187 + 93, 1100, 3000])
@pytest.mark.parametrize("hop", [REFERENCE_HOPS[MUSICNN], FAST_HOPS[MUSICNN], 50])
@pytest.mark.parametrize("chunk", [framewise.CHUNK_FRAMES, 200])
@pytest.mark.parametrize("form", framewise.FRONT_FORMS)
def test_the_split_gives_the_whole_graphs_outputs(musicnn, frames, hop, chunk, form):
    """One patch, a partial last patch, tracks shorter and longer than a chunk, chunk seams
    falling inside patches and on their edges; the front end in each of its forms."""
    split, whole = split_and_whole(musicnn, chunk=chunk, forms=(form,))
    mel = np.random.default_rng(frames + hop).uniform(-2, 5, (frames, 96)).astype(np.float32)

    got = split(mel, hop)
    expected = whole(cut_patches(mel, 187, hop))

    assert split.form == form
    assert got.shape == expected.shape == (1 + (frames - 187) // hop, 200)
    assert_equal_to_scale(got, expected)


@pytest.mark.parametrize("form", framewise.FRONT_FORMS)
def test_the_predictions_output_splits_too(musicnn, form):
    split, whole = split_and_whole(musicnn, PREDICTIONS, forms=(form,))
    mel = np.random.default_rng(5).uniform(-2, 5, (2000, 96)).astype(np.float32)

    assert_equal_to_scale(split(mel, 93), whole(cut_patches(mel, 187, 93)))


def test_a_track_shorter_than_a_patch_gives_no_rows(musicnn):
    split, _ = split_and_whole(musicnn)

    assert split(np.zeros((100, 96), np.float32), 93).shape[0] == 0


def _front_with(tmp_path, pad_op: str, time_stride: int):
    """A small front end over frames and bands with the given pad op and time stride."""
    graph = _MusiCNN(3)
    source = graph.placeholder(INPUT, [-1, 187, 96])
    image = graph.expand("model/ExpandDims", source, 3)
    padded = graph.pad_time("model/Pad", image, 3, 3, rank=4)
    graph.graph.node[-1].op = pad_op
    if pad_op == "MirrorPad":
        graph.graph.node[-1].attr["mode"].CopyFrom(attr_value_pb2.AttrValue(s=b"REFLECT"))
    conv = graph.conv("model/conv2d", padded, (7, 38, 1, 4), same=False)
    graph.graph.node[-3].attr["strides"].CopyFrom(
        attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=[1, time_stride, 1, 1]))
    )
    pooled = graph.pool("model/max_pooling2d/MaxPool", "MaxPool", conv, 59)
    squeezed = graph.squeeze("model/Squeeze", pooled, 2)
    mean = graph.reduce("model/Mean", "Mean", squeezed, 1)
    graph.dense("model/dense", mean, 4, 200)
    return graph.write(tmp_path / "odd.pb")


@pytest.mark.parametrize(
    ("pad_op", "stride", "reason"),
    [("MirrorPad", 1, "not zeros"), ("Pad", 2, "strides or dilates over time")],
)
def test_a_front_end_that_is_not_per_frame_is_not_split(tmp_path, pad_op, stride, reason):
    model = convert(_front_with(tmp_path, pad_op, stride), INPUT, EMBEDDINGS, None)

    with pytest.raises(framewise.NotSplittable, match=reason):
        framewise.find_cuts(model, 187)


def test_a_graph_without_a_convolution_over_frames_and_bands_is_not_split(tmp_path):
    graph = _MusiCNN(3)
    source = graph.placeholder(INPUT, [-1, 187, 96])
    graph.dense("model/dense", graph.mean_over_time("model/Mean", source), 96, 200)
    model = convert(graph.write(tmp_path / "plain.pb"), INPUT, EMBEDDINGS, None)

    with pytest.raises(framewise.NotSplittable, match="no convolution"):
        framewise.find_cuts(model, 187)


def test_the_engine_runs_musicnn_split(tmp_path, monkeypatch):
    write_backbone(tmp_path, MUSICNN_GRAPH, seed=2)
    backbone = discover(tmp_path).embeddings[0]
    calls = []
    original = framewise.FramewiseGraph.__call__
    monkeypatch.setattr(
        framewise.FramewiseGraph,
        "__call__",
        lambda self, *args: calls.append(1) or original(self, *args),
    )
    audio = np.random.default_rng(2).normal(0, 0.2, 16000 * 40).astype(np.float32)

    got = OpenVinoEngine(AlgorithmCache(), EXACT).embed(TrackFeatures(audio), backbone, {})
    expected = EssentiaEngine(AlgorithmCache()).embed(TrackFeatures(audio), backbone, {})

    assert calls
    assert_equal_to_scale(got, expected)


def test_a_split_that_fails_its_check_is_not_used(tmp_path, monkeypatch, caplog):
    """Edges left unfixed make the split disagree with the whole graph: the engine warns once
    and runs the graph patch by patch, with the right results."""
    write_backbone(tmp_path, MUSICNN_GRAPH, seed=4)
    backbone = discover(tmp_path).embeddings[0]
    monkeypatch.setattr(framewise.FramewiseGraph, "_fix_edges", lambda self, *args: None)
    audio = np.random.default_rng(4).normal(0, 0.2, 16000 * 20).astype(np.float32)
    engine = OpenVinoEngine(AlgorithmCache(), EXACT)

    with caplog.at_level(logging.WARNING, logger="library.tagging.engines"):
        got = engine.embed(TrackFeatures(audio), backbone, {})
        engine.embed(TrackFeatures(audio), backbone, {})

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "patch by patch" in warnings[0] and "disagrees with the whole graph" in warnings[0]
    expected = EssentiaEngine(AlgorithmCache()).embed(TrackFeatures(audio), backbone, {})
    assert_equal_to_scale(got, expected)


def test_compiled_graphs_leave_their_threads_unpinned(musicnn):
    """Pinned, the single threads of two tag workers land on the same core."""
    split, whole = split_and_whole(musicnn)

    for compiled in (split.chunk, *split.edges.values(), *split.back.values(), whole.model):
        assert compiled.get_property("ENABLE_CPU_PINNING") is False


def edge_fronts(path, batch=4):
    model = convert(path, INPUT, EMBEDDINGS, None)
    cuts = framewise.find_cuts(model, 187)

    def front(rows):
        return framewise._fixed(framewise.front_model(model, cuts), [[rows, 6, 96]])

    return cuts, front(batch), front(2 * batch)


def test_one_sided_edge_fronts_give_the_frames_next_to_their_edge(musicnn):
    """Padded only before (after) the window, the front end gives the frames next to the
    patch's first (last) edge, equal to those of the window padded on both sides."""
    cuts, single, double = edge_fronts(musicnn)
    lead, trail = framewise.one_sided(single, "lead"), framewise.one_sided(single, "trail")
    windows = np.random.default_rng(8).uniform(-2, 5, (8, 6, 96)).astype(np.float32)

    assert lead is not None and trail is not None
    run = [
        compile_model(m, "test", "exact", 1).create_infer_request() for m in (double, lead, trail)
    ]
    both = run[0].infer([windows])
    leads, trails = run[1].infer([windows[:4]]), run[2].infer([windows[4:]])
    for index, cut in enumerate(cuts):
        full = np.moveaxis(np.asarray(both[index]), cut.time_axis, 1)
        first = np.moveaxis(np.asarray(leads[index]), cut.time_axis, 1)
        last = np.moveaxis(np.asarray(trails[index]), cut.time_axis, 1)
        assert first.shape[1] == last.shape[1] == 3
        assert_equal_to_scale(first, full[:4, :3])
        assert_equal_to_scale(last, full[4:, 3:])


def test_a_front_end_padded_inside_its_convolution_keeps_both_sides():
    import openvino
    from openvino import opset13

    data = opset13.parameter([4, 6, 96], np.float32)
    kernel = np.ones((2, 1, 7, 5), np.float32)
    conv = opset13.convolution(
        opset13.unsqueeze(data, opset13.constant(np.int64(1))),
        opset13.constant(kernel),
        [1, 1],
        [3, 0],
        [3, 0],
        [1, 1],
    )
    front = openvino.Model([conv], [data])

    assert framewise.one_sided(front, "lead") is None


def test_the_split_runs_one_sided_edge_windows(musicnn):
    split, _ = split_and_whole(musicnn)

    assert sorted(split.edges) == [("lead", 8), ("lead", 64), ("trail", 8), ("trail", 64)]


def test_without_one_sided_fronts_the_edges_run_padded_on_both_sides(musicnn, monkeypatch):
    monkeypatch.setattr(framewise, "one_sided", lambda front, side: None)
    split, whole = split_and_whole(musicnn)
    mel = np.random.default_rng(9).uniform(-2, 5, (3000, 96)).astype(np.float32)

    assert sorted(split.edges) == [("both", 8), ("both", 64)]
    assert_equal_to_scale(split(mel, 93), whole(cut_patches(mel, 187, 93)))
