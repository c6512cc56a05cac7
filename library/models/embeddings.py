"""TrackEmbedding model: one backbone's pooled embedding of one track, stored beside its scores
so similarity search and new heads need no new inference."""

from __future__ import annotations

import numpy as np
from django.db import models


class TrackEmbedding(models.Model):
    """The mean over a track's patches of one backbone's embedding (discogs-effnet: 1280
    values, msd-musicnn: 200, audioset-vggish: 128), as little-endian float32 bytes.

    The backbone's file stem and checksum and the pipeline version say exactly what produced
    it; one row per track and backbone, replaced whenever the track is analysed again."""

    track = models.ForeignKey("library.Track", on_delete=models.CASCADE, related_name="embeddings")
    backbone = models.CharField(max_length=200, help_text='e.g. "discogs-effnet-bs64-1"')
    model_sha256 = models.CharField(max_length=64)
    dimensions = models.PositiveIntegerField()
    vector = models.BinaryField(help_text="float32, little-endian, `dimensions` values")
    patches = models.PositiveIntegerField(default=0, help_text="patches pooled into the mean")
    pipeline_version = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["track", "backbone"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "backbone"], name="trackembedding_unique_track_backbone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.track_id} {self.backbone} [{self.dimensions}]"

    @staticmethod
    def encode(values: np.ndarray) -> bytes:
        return np.asarray(values, dtype="<f4").tobytes()

    def values(self) -> np.ndarray:
        """The embedding as a float32 array."""
        return np.frombuffer(bytes(self.vector), dtype="<f4").astype(np.float32)
