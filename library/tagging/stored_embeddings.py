"""Keeping each track's pooled embedding per backbone (TrackEmbedding rows), replaced with every
analysis, so similarity search and new heads can start from them without inference."""

from __future__ import annotations

from django.db import transaction

from library.models import Track, TrackEmbedding
from library.tagging.pipeline import TrackAnalysis


def store_embeddings(track: Track, analysis: TrackAnalysis) -> int:
    """Replace the track's stored embeddings with this analysis' (one transaction)."""
    rows = [
        TrackEmbedding(
            track=track,
            backbone=pooled.backbone,
            model_sha256=pooled.model_sha256,
            dimensions=int(pooled.vector.size),
            vector=TrackEmbedding.encode(pooled.vector),
            patches=pooled.patches,
            pipeline_version=analysis.pipeline_version,
        )
        for pooled in analysis.embeddings
    ]
    with transaction.atomic():
        TrackEmbedding.objects.filter(track=track).delete()
        TrackEmbedding.objects.bulk_create(rows)
    return len(rows)
