"""Models of `calibration`: versioned calibration runs and, per run, head and class, the
statistics of the stored raw scores with the drift figures against the head's reference."""

from __future__ import annotations

from django.db import models


class Calibration(models.Model):
    """One calibration run over the stored raw scores; `version` counts runs from 1.

    A run's rows (`HeadStats`) always hold the statistics it measured; for each head, either
    the run became the head's reference (`is_reference`) or the head was stable and kept the
    reference of an earlier run (`reference` points at that row).
    """

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    track_count = models.PositiveIntegerField(help_text="tracks with stored scores")
    heads = models.PositiveIntegerField(default=0)
    changed_heads = models.PositiveIntegerField(
        default=0, help_text="heads whose reference became this run"
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"calibration {self.version}"


class HeadStats(models.Model):
    """The distribution of one class of one head in one run: sample count, p5, p95, median,
    interquartile range and a 100-bin histogram of raw scores on [0, 1] (values outside are
    counted in the end bins). The calibrated value is clamp((raw - p5) / (p95 - p5), 0, 1).

    `drift` holds the figures against the head's reference when the run was made (null for a
    head's first run); `stable` says the whole head passed every threshold and kept its
    reference (`reference` is then that row; a row that became the reference points at itself).
    """

    calibration = models.ForeignKey(Calibration, on_delete=models.CASCADE, related_name="stats")
    head = models.CharField(max_length=200)
    label = models.CharField(max_length=200, blank=True, help_text='"" for a regression head')
    samples = models.PositiveIntegerField()
    p5 = models.FloatField()
    p95 = models.FloatField()
    median = models.FloatField()
    iqr = models.FloatField()
    histogram = models.JSONField(default=list)
    drift = models.JSONField(null=True, blank=True)
    stable = models.BooleanField(default=False)
    is_reference = models.BooleanField(default=False)
    reference = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["calibration", "head", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["calibration", "head", "label"], name="headstats_unique_run_head_label"
            )
        ]
        indexes = [models.Index(fields=["head", "label", "is_reference"], name="headstats_ref")]

    def __str__(self) -> str:
        label = f"/{self.label}" if self.label else ""
        return f"{self.head}{label} v{self.calibration.version}: {self.p5:.3f}-{self.p95:.3f}"
