"""The OpenVINO engine against Essentia's on generated graphs with the published node names and
shapes: the same patches, the same pooled scores, a fallback for graphs it cannot convert, and
one compilation per graph file per worker."""

from __future__ import annotations

import logging
import shutil
from types import SimpleNamespace

import numpy as np
import pytest

from library.tagging import openvino_models
from library.tagging.cache import AlgorithmCache
from library.tagging.engines import (
    FAST_TOLERANCE,
    EngineSettings,
    EssentiaEngine,
    OpenVinoEngine,
)
from library.tagging.features import EFFNET, MUSICNN, TrackFeatures, effnet_padding
from library.tagging.model_suite import discover
from library.tagging.openvino_models import availability, compile_graph
from library.tagging.pipeline import PipelineOptions, TaggingPipeline
from library.tagging.steps import FAST_HOPS, REFERENCE_HOPS
from tests.support.audio import FORMATS
from tests.support.graphs import EFFNET as EFFNET_GRAPH
from tests.support.graphs import MUSICNN as MUSICNN_GRAPH
from tests.support.graphs import write_backbone, write_head

pytestmark = pytest.mark.skipif(not availability()[0], reason=availability()[1])

EXACT = EngineSettings("openvino", "exact", 1)
FAST = EngineSettings("openvino", "fast", 1)


@pytest.fixture(scope="module")
def suite(models_dir):
    return discover(models_dir)


def analyse(suite, path, engine: EngineSettings | None = None):
    options = PipelineOptions(engine=engine or EngineSettings())
    return TaggingPipeline(suite, options, cache=AlgorithmCache()).run(str(path))


def assert_same_scores(reference, other, tolerance: float, relative: float = 0.0) -> None:
    assert [h.head for h in other.heads] == [h.head for h in reference.heads]
    for expected, got in zip(reference.heads, other.heads, strict=True):
        assert got.patches == expected.patches, expected.head
        np.testing.assert_allclose(got.mean, expected.mean, atol=tolerance, rtol=relative)
        np.testing.assert_allclose(got.std, expected.std, atol=tolerance, rtol=relative)


@pytest.mark.parametrize("fmt", FORMATS)
def test_openvino_exact_gives_every_head_the_essentia_engines_scores(suite, tracks, fmt):
    reference = analyse(suite, tracks[fmt])
    exact = analyse(suite, tracks[fmt], EXACT)

    assert exact.engine == "openvino exact" and reference.engine == "essentia"
    assert_same_scores(reference, exact, 1e-5)
    for expected, got in zip(reference.embeddings, exact.embeddings, strict=True):
        assert (got.backbone, got.patches) == (expected.backbone, expected.patches)
        np.testing.assert_allclose(got.vector, expected.vector, atol=1e-5, rtol=0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_openvino_fast_stays_within_its_documented_tolerance(suite, tracks, fmt):
    fast = analyse(suite, tracks[fmt], FAST)
    assert_same_scores(analyse(suite, tracks[fmt]), fast, FAST_TOLERANCE, FAST_TOLERANCE)


@pytest.mark.parametrize("seconds", [1.0, 7.3, 101.7])
@pytest.mark.parametrize("hops", [REFERENCE_HOPS, FAST_HOPS], ids=["reference", "fast"])
def test_patches_are_cut_and_padded_as_essentia_cuts_them(suite, seconds, hops):
    """Lengths with one patch, a partial last patch, and more than one batch of 64."""
    rng = np.random.default_rng(int(seconds * 10))
    audio = rng.normal(0, 0.2, int(seconds * 16000)).astype(np.float32)
    audio = np.pad(audio, (0, max(0, 186 * 256 + 512 - audio.size)))
    reference = EssentiaEngine(AlgorithmCache())
    engine = OpenVinoEngine(AlgorithmCache(), EXACT)
    for embedding in suite.embeddings:
        if embedding.meta.algorithm not in (EFFNET, MUSICNN):
            continue
        expected = reference.embed(TrackFeatures(audio), embedding, hops)
        got = engine.embed(TrackFeatures(audio), embedding, hops)
        assert got.shape == expected.shape, embedding.name
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_effnet_padding_fills_the_last_batch_of_64():
    assert effnet_padding(16000 * 240, 62) + 1 + (16000 * 240 // 256 - 128) // 62 == 64 * 4
    assert effnet_padding(128 * 256, 62) == 63


def test_a_graph_openvino_cannot_convert_runs_on_essentia_with_one_warning(
    tmp_path, tracks, caplog
):
    write_backbone(tmp_path, MUSICNN_GRAPH, seed=3)
    write_head(tmp_path, "mood_odd", MUSICNN_GRAPH, ["odd", "non_odd"], 21, extra_op="Digamma")
    suite = discover(tmp_path)
    pipeline = TaggingPipeline(suite, PipelineOptions(engine=EXACT), cache=AlgorithmCache())

    with caplog.at_level(logging.WARNING, logger="library.tagging.engines"):
        first = pipeline.run(str(tracks["flac"]))
        pipeline.run(str(tracks["mp3"]))

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "mood_odd-msd-musicnn-1.pb" in warnings[0] and "Digamma" in warnings[0]
    assert_same_scores(analyse(suite, tracks["flac"]), first, 1e-5)


def test_a_changed_graph_file_is_compiled_again(tmp_path, tracks):
    compiled = []

    def counting(*args):
        compiled.append(args[0].name)
        return compile_graph(*args)

    write_backbone(tmp_path, EFFNET_GRAPH, seed=1)
    write_head(tmp_path, "mood_happy", EFFNET_GRAPH, ["happy", "non_happy"], seed=11)
    cache = AlgorithmCache()
    engine = OpenVinoEngine(cache, EXACT, compiler=counting)
    audio = np.random.default_rng(1).normal(0, 0.2, 16000 * 5).astype(np.float32)
    backbone = discover(tmp_path).embeddings[0]

    before = engine.embed(TrackFeatures(audio), backbone, REFERENCE_HOPS)
    engine.embed(TrackFeatures(audio), backbone, REFERENCE_HOPS)
    assert compiled == ["discogs-effnet-bs64-1.pb"]

    shutil.rmtree(tmp_path / "feature-extractors")
    write_backbone(tmp_path, EFFNET_GRAPH, seed=7)
    changed = discover(tmp_path).embeddings[0]
    after = engine.embed(TrackFeatures(audio), changed, REFERENCE_HOPS)

    assert changed.file.sha256 != backbone.file.sha256
    assert compiled == ["discogs-effnet-bs64-1.pb"] * 2
    assert not np.allclose(before, after)
    assert cache.clear() == 2


def test_a_graph_the_cpu_plugin_cannot_compile_also_falls_back_with_a_warning(
    suite, tracks, monkeypatch, caplog
):
    class BrokenCore:
        def compile_model(self, *args, **kwargs):
            raise RuntimeError("Exception from src/inference/src/core.cpp:\nno CPU plugin")

    monkeypatch.setattr(openvino_models, "_core", BrokenCore)

    with caplog.at_level(logging.WARNING, logger="library.tagging.engines"):
        fallen_back = analyse(suite, tracks["flac"], EXACT)

    assert_same_scores(analyse(suite, tracks["flac"]), fallen_back, 1e-5)
    assert any("compiling failed: no CPU plugin" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "rows, size, tail, plan",
    [
        (0, 64, 8, []),
        (240, 64, 8, [(0, 64), (64, 64), (128, 64), *((192 + 8 * i, 8) for i in range(6))]),
        (130, 64, 8, [(0, 64), (64, 64), (128, 8)]),
        (5, 64, 8, [(0, 8)]),
        (70, 64, None, [(0, 64), (64, 64)]),
        (64, 64, None, [(0, 64)]),
    ],
)
def test_rows_after_the_last_full_batch_go_in_small_batches(rows, size, tail, plan):
    assert openvino_models.batch_plan(rows, size, tail) == plan


def test_a_fixed_batch_graph_runs_its_last_rows_in_a_small_batch(tmp_path, monkeypatch):
    """EfficientNet's graph is compiled for 64 rows and for TAIL_BATCH: 70 patches run as 64
    and 8 (two of them zeros) instead of 128, with the same outputs."""
    monkeypatch.setattr(openvino_models, "small_batch_faster", lambda *args: False)
    path = write_backbone(tmp_path, EFFNET_GRAPH, seed=6)
    output = EFFNET_GRAPH.embedding_output
    graph = compile_graph(path, EFFNET_GRAPH.input_name, output, 64, "exact", 1)
    patches = np.random.default_rng(6).uniform(-2, 4, (70, 128, 96)).astype(np.float32)
    single = openvino_models.CompiledGraph(graph.name, graph.model, 64)

    assert graph.tail is not None
    assert graph.tail.inputs[0].get_partial_shape()[0].get_length() == openvino_models.TAIL_BATCH
    got = graph(patches)
    np.testing.assert_allclose(got, single(patches), atol=1e-5, rtol=1e-5)
    assert got.shape[0] == 70


def test_where_small_batches_are_faster_every_batch_is_small(tmp_path, monkeypatch):
    monkeypatch.setattr(openvino_models, "small_batch_faster", lambda *args: True)
    path = write_backbone(tmp_path, EFFNET_GRAPH, seed=6)
    output = EFFNET_GRAPH.embedding_output
    graph = compile_graph(path, EFFNET_GRAPH.input_name, output, 64, "exact", 1)
    patches = np.random.default_rng(6).uniform(-2, 4, (70, 128, 96)).astype(np.float32)
    whole = compile_graph(path, EFFNET_GRAPH.input_name, output, None, "exact", 1)

    assert (graph.batch, graph.tail) == (openvino_models.TAIL_BATCH, None)
    np.testing.assert_allclose(graph(patches), whole(patches), atol=1e-5, rtol=1e-5)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeCompiled:
    """A compiled model whose every inference costs `per_call` + `per_row` x rows seconds."""

    def __init__(self, clock: FakeClock, rows: int, per_call: float, per_row: float) -> None:
        self.inputs = [SimpleNamespace(get_partial_shape=lambda: [rows, 128, 96])]
        self.clock, self.per_call, self.per_row, self.fed = clock, per_call, per_row, []

    def create_infer_request(self):
        return self

    def infer(self, inputs):
        self.fed.append(len(inputs[0]))
        self.clock.now += self.per_call + self.per_row * len(inputs[0])


@pytest.mark.parametrize(
    ("small_per_row", "expected"), [(0.0070, True), (0.0080, False), (0.0075, False)]
)
def test_the_small_batch_is_chosen_when_it_costs_less_per_row(small_per_row, expected):
    clock = FakeClock()
    large = FakeCompiled(clock, 64, per_call=0.0, per_row=0.0075)
    small = FakeCompiled(clock, 8, per_call=0.0, per_row=small_per_row)

    assert openvino_models.small_batch_faster(large, small, 64, clock) is expected
    assert large.fed == [64] * 3 and small.fed == [8] * 24  # one untimed run, two timed each


def test_effnet_padding_patches_are_not_computed(suite, monkeypatch):
    """Essentia computes the silent patches that fill its last batch of 64 and drops their
    outputs; OpenVINO leaves them out."""
    effnet = next(e for e in suite.embeddings if e.meta.algorithm == EFFNET)
    audio = np.random.default_rng(7).normal(0, 0.2, 16000 * 30).astype(np.float32)
    fed = []
    original = openvino_models.CompiledGraph.__call__
    monkeypatch.setattr(
        openvino_models.CompiledGraph,
        "__call__",
        lambda self, data: fed.append(len(data)) or original(self, data),
    )
    patches, padding = TrackFeatures(audio).patches(EFFNET, REFERENCE_HOPS[EFFNET])

    got = OpenVinoEngine(AlgorithmCache(), EXACT).embed(TrackFeatures(audio), effnet, {})

    assert padding > 0
    assert fed[0] == len(got) == len(patches) - padding
