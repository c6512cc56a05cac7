"""TrackTag model: the namespace tags of `Track.namespace_tags`, one row per value, so that
analytics and playlist previews are indexed GROUP BY and EXISTS queries instead of JSON scans."""

from __future__ import annotations

from django.db import models


class TrackTag(models.Model):
    """One value of one tag of one track, as `Track.namespace_tags` holds it: a list gives one
    row per element (`position` 0, 1, ...), a single value one row at position 0.

    Database triggers on `library_track` keep these rows in the same transaction as every write
    of `namespace_tags` (insert, update, delete, bulk or raw; `library.tag_index`), so no code
    path can forget them. `number` is the value as a number when it is written as one
    (`[+-]digits[.digits]`), else null. `listed` is, on a list's first row only, the whole list
    as JSON: what "distinct values" of a tag compare.
    """

    track = models.ForeignKey("library.Track", on_delete=models.CASCADE, related_name="tag_rows")
    key = models.CharField(max_length=500)
    value = models.TextField()
    number = models.FloatField(null=True)
    position = models.PositiveIntegerField(default=0)
    # Null, not "", for "not a list's first row": SQL's COALESCE reads it (see docstring).
    listed = models.TextField(null=True)  # noqa: DJ001

    class Meta:
        # A track's rows (which the triggers replace) are found by the foreign key's index.
        indexes = [
            # Numeric comparisons of playlist previews, without reading the table.
            models.Index(fields=["key", "number", "track"], name="tracktag_key_number"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
