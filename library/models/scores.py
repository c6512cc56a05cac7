"""TrackScore model: the raw output of one classifier head for one track."""

from __future__ import annotations

from django.db import models


class TrackScore(models.Model):
    """One head's raw, uncalibrated score for one class of one track (pooled over the track's
    patches: mean and standard deviation).

    Raw scores are stored, not only the tags derived from them, so that calibration, new
    thresholds and re-tagging (another namespace, another `file_write_mode`) never have to run
    inference again. `label` is the class label of a classification head and "" for a
    regression head. The model file, its checksum, the embedding model and the pipeline
    version say exactly what produced the number, so a stale score can be recognised.
    """

    track = models.ForeignKey("library.Track", on_delete=models.CASCADE, related_name="scores")
    head = models.CharField(max_length=200, help_text='e.g. "mood_happy"')
    label = models.CharField(max_length=200, blank=True, help_text='"" for a regression head')
    score_mean = models.FloatField()
    score_std = models.FloatField(default=0.0)
    model_file = models.CharField(max_length=500)
    model_sha256 = models.CharField(max_length=64, blank=True)
    embedding_model = models.CharField(max_length=200, blank=True)
    pipeline_version = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["track", "head", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "head", "label"], name="trackscore_unique_track_head_label"
            )
        ]
        # A calibration reads every score sorted by head, label and value: with this index
        # the database walks it in order instead of sorting millions of rows.
        indexes = [
            models.Index(fields=["head", "label", "score_mean"], name="trackscore_head_label_mean")
        ]

    def __str__(self) -> str:
        label = f"/{self.label}" if self.label else ""
        return f"{self.track_id} {self.head}{label}={self.score_mean:.3f}"
