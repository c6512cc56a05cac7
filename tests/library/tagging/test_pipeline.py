"""The tagging pipeline on generated audio with the real Essentia algorithms and small graphs
that carry the published models' node names and shapes."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from library.tagging.cache import AlgorithmCache, essentia_factory
from library.tagging.model_suite import discover
from library.tagging.pipeline import NoModelsError, PipelineOptions, TaggingPipeline
from library.tagging.steps import DecodeError
from library.tagging.version import PIPELINE_VERSION
from tests.support.audio import FORMATS, make_audio


class CountingFactory:
    """Wraps Essentia's factory and counts how often each graph is loaded and run."""

    def __init__(self):
        self.loads: Counter = Counter()
        self.runs: Counter = Counter()

    def __call__(self, algorithm, params):
        name = params["graphFilename"].rsplit("/", 1)[-1]
        self.loads[name] += 1
        real = essentia_factory(algorithm, params)

        def run(data):
            self.runs[name] += 1
            return real(data)

        return run


@pytest.fixture(scope="module")
def suite(models_dir):
    return discover(models_dir)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_analysed_into_pooled_scores_per_head(suite, tracks, fmt):
    analysis = TaggingPipeline(suite, cache=AlgorithmCache()).run(str(tracks[fmt]))

    assert analysis.pipeline_version == PIPELINE_VERSION
    assert analysis.suite_version == suite.version
    assert 5.9 < analysis.duration_seconds < 6.2
    assert {r.head for r in analysis.heads} == {h.name for h in suite.heads}
    happy = analysis.head("mood_happy")
    assert happy.classes == ("happy", "non_happy")
    assert len(happy.mean) == len(happy.std) == 2
    assert sum(happy.mean) == pytest.approx(1.0, abs=1e-5)
    assert happy.patches >= 4
    assert happy.model_file == "mood_happy-discogs-effnet-1.pb"
    assert happy.model_sha256 == suite.head("mood_happy").file.sha256
    assert happy.embedding_model == "discogs-effnet-bs64-1"
    assert len(analysis.head("genre_discogs400").mean) == 400
    assert analysis.head("mood_sad").classes == ("non_sad", "sad")
    regression = analysis.head("approachability_regression")
    assert regression.classes is None and len(regression.mean) == 1


def test_each_embedding_is_computed_once_and_feeds_every_head_of_its_backbone(suite, tracks):
    factory = CountingFactory()
    pipeline = TaggingPipeline(suite, cache=AlgorithmCache(factory))

    pipeline.run(str(tracks["flac"]))
    pipeline.run(str(tracks["mp3"]))

    assert factory.runs["discogs-effnet-bs64-1.pb"] == 2
    assert factory.runs["msd-musicnn-1.pb"] == 2
    assert factory.runs["audioset-vggish-3.pb"] == 2
    assert factory.runs["mood_happy-discogs-effnet-1.pb"] == 2
    assert set(factory.loads.values()) == {1}  # every graph loaded once for both tracks


def test_clearing_the_cache_reloads_the_graphs(suite, tracks):
    factory = CountingFactory()
    cache = AlgorithmCache(factory)
    pipeline = TaggingPipeline(suite, cache=cache)
    first = pipeline.run(str(tracks["ogg"]))

    assert cache.clear() == len(factory.loads)
    second = pipeline.run(str(tracks["ogg"]))

    assert factory.loads["discogs-effnet-bs64-1.pb"] == 2
    assert first.heads == second.heads


def test_pooled_scores_are_the_mean_and_spread_of_essentias_own_patch_predictions(suite, tracks):
    import essentia.standard as es

    effnet, head = suite.embeddings[0], suite.head("mood_sad")
    audio = es.MonoLoader(filename=str(tracks["m4a"]), sampleRate=16000, resampleQuality=4)()
    embeddings = es.TensorflowPredictEffnetDiscogs(
        graphFilename=str(effnet.file.path), output="PartitionedCall:1"
    )(audio)
    patches = es.TensorflowPredict2D(graphFilename=str(head.file.path), output="model/Softmax")(
        embeddings
    )

    result = TaggingPipeline(suite, cache=AlgorithmCache()).run(str(tracks["m4a"])).head("mood_sad")

    assert result.mean == pytest.approx(tuple(np.mean(patches, axis=0)), abs=1e-6)
    assert result.std == pytest.approx(tuple(np.std(patches, axis=0)), abs=1e-6)
    assert result.patches == len(patches)


def test_the_fast_preset_uses_sparser_patches(suite, tracks):
    reference = TaggingPipeline(suite, cache=AlgorithmCache()).run(str(tracks["flac"]))
    fast = TaggingPipeline(suite, PipelineOptions.preset("fast"), AlgorithmCache()).run(
        str(tracks["flac"])
    )

    assert fast.head("mood_happy").patches < reference.head("mood_happy").patches
    assert fast.hops["TensorflowPredictEffnetDiscogs"] == 128
    assert reference.hops["TensorflowPredictEffnetDiscogs"] == 62


def test_only_the_backbones_of_the_chosen_heads_run(suite, tracks):
    factory = CountingFactory()
    options = PipelineOptions(heads=frozenset({"mood_relaxed"}))

    analysis = TaggingPipeline(suite, options, AlgorithmCache(factory)).run(str(tracks["mp3"]))

    assert [r.head for r in analysis.heads] == ["mood_relaxed"]
    assert set(factory.runs) == {"msd-musicnn-1.pb", "mood_relaxed-msd-musicnn-1.pb"}


def test_a_clip_shorter_than_one_patch_is_padded_and_still_analysed(suite, tmp_path):
    clip = make_audio(tmp_path / "blip.wav", seconds=0.5)

    analysis = TaggingPipeline(suite, cache=AlgorithmCache()).run(str(clip))

    assert analysis.duration_seconds == pytest.approx(0.5, abs=0.01)
    assert all(r.patches >= 1 for r in analysis.heads)


def test_files_that_cannot_be_decoded_raise_a_decode_error(suite, tmp_path):
    pipeline = TaggingPipeline(suite, cache=AlgorithmCache())
    text = tmp_path / "notes.flac"
    text.write_text("not audio at all\n" * 50)
    (tmp_path / "empty.mp3").touch()

    with pytest.raises(DecodeError, match="Cannot decode .*notes.flac"):
        pipeline.run(str(text))
    with pytest.raises(DecodeError, match="empty.mp3"):
        pipeline.run(str(tmp_path / "empty.mp3"))
    with pytest.raises(DecodeError, match="missing.ogg"):
        pipeline.run(str(tmp_path / "missing.ogg"))


def test_a_suite_without_usable_heads_is_refused(tmp_path):
    with pytest.raises(NoModelsError, match="No usable classifier heads"):
        TaggingPipeline(discover(tmp_path))
