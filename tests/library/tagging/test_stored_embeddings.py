"""Each tagged track keeps its pooled embedding per backbone beside its scores: backbone,
checksum and float32 values, replaced (not duplicated) when the track is analysed again."""

from __future__ import annotations

import numpy as np

from library.models import Track, TrackEmbedding
from library.tagging.cache import AlgorithmCache
from library.tagging.model_suite import discover
from library.tagging.pipeline import TaggingPipeline
from library.tagging.requests import queue_paths

DIMENSIONS = {"discogs-effnet-bs64-1": 1280, "msd-musicnn-1": 200, "audioset-vggish-3": 128}


def test_a_tagged_track_stores_one_pooled_embedding_per_backbone(music, run_jobs, suite_dir):
    path = str(music["files"]["m4a"])
    queue_paths([path], force=True)
    run_jobs()

    track = Track.objects.get(path=path)
    rows = {row.backbone: row for row in TrackEmbedding.objects.filter(track=track)}
    suite = discover(suite_dir)
    assert {name: row.dimensions for name, row in rows.items()} == DIMENSIONS
    for embedding in suite.embeddings:
        row = rows[embedding.name]
        assert row.model_sha256 == embedding.file.sha256
        assert len(bytes(row.vector)) == 4 * row.dimensions
        assert row.patches >= 1 and row.pipeline_version
    expected = TaggingPipeline(suite, cache=AlgorithmCache()).run(path)
    for pooled in expected.embeddings:
        np.testing.assert_allclose(rows[pooled.backbone].values(), pooled.vector, atol=1e-5)


def test_analysing_a_track_again_replaces_its_embeddings(music, run_jobs):
    path = str(music["files"]["ogg"])
    for _round in range(2):
        queue_paths([path], force=True)
        run_jobs()

    assert TrackEmbedding.objects.filter(track__path=path).count() == len(DIMENSIONS)
