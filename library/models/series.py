"""Series library models: a `Series` (one folder of the series directory, optionally linked to
TMDB) and its `Episode`s, each either present (a file was found) or missing (the provider says
it aired and no file was found)."""

from __future__ import annotations

from django.db import models


class Series(models.Model):
    """One show. `key` is the URL-safe identifier every API uses; `folder` is the sanitised
    display name of its folder inside the series directory (never derived from the key)."""

    key = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=500)
    site = models.CharField(max_length=100, default="themoviedb.org")
    folder = models.CharField(max_length=255, unique=True)
    link = models.CharField(max_length=500, blank=True, default="")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    tmdb_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    language = models.CharField(max_length=20, blank=True, default="")
    description = models.TextField(blank=True, default="")
    download_source = models.CharField(
        max_length=2000,
        blank=True,
        default="",
        help_text="URL template of an episode's file, with {season} and {episode} "
        "(format specs allowed: {season:02d}); http or https. Empty: no source.",
    )
    scanned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.name} ({self.folder})"


class Episode(models.Model):
    """One episode of a series: season 0 holds the specials. `is_present` says whether a file
    was found (its `path`); a missing episode is one the provider lists as aired."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="episodes")
    season = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500, blank=True, default="")
    air_date = models.DateField(null=True, blank=True)
    path = models.CharField(max_length=4096, blank=True, default="")
    is_present = models.BooleanField(default=False)

    class Meta:
        ordering = ["series", "season", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "season", "number"], name="episode_unique_number"
            )
        ]
        indexes = [models.Index(fields=["series", "is_present"], name="episode_presence")]

    def __str__(self) -> str:
        return f"{self.series.key} {self.season}-{self.number}"

    @property
    def code(self) -> str:
        """The reference's episode identifier, `"<season>-<number>"`."""
        return f"{self.season}-{self.number}"


class RescanSchedule(models.Model):
    """Singleton (pk=1): what the series-library scheduler last did. Its settings live in
    `nomarr_site.config` (`scheduler_*`); the next run is a django-q2 `Schedule` row that
    `library.series.schedule` plans from them."""

    last_run = models.DateTimeField(null=True, blank=True)
    last_job_id = models.BigIntegerField(null=True, blank=True)
    last_message = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "rescan schedule"

    def __str__(self) -> str:
        return f"last run {self.last_run}" if self.last_run else "never run"

    @classmethod
    def get(cls) -> RescanSchedule:
        state, _ = cls.objects.get_or_create(pk=1)
        return state
