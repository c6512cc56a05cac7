"""Library models: the configured roots (music or series) that every file path must lie in."""

from __future__ import annotations

from django.db import models


class Library(models.Model):
    """A folder Nomarr manages. Roots never nest inside one another (validated by services)."""

    class Kind(models.TextChoices):
        MUSIC = "music", "Music"
        SERIES = "series", "Series"

    name = models.CharField(max_length=200)
    root_path = models.CharField(max_length=4096, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MUSIC)
    is_enabled = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "libraries"

    def __str__(self) -> str:
        return f"{self.name} ({self.root_path})"
