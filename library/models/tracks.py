"""Track model: one audio file under a library root, with what the scanner read from it."""

from __future__ import annotations

from django.db import models


class Track(models.Model):
    """An audio file the scanner found. `path` is absolute, exactly as stored in the database
    (a non-UTF-8 name is kept in a readable escaped form and marked unreadable).

    `size` and `mtime` are what the last scan saw; a rescan skips the file when both still
    match. `analysed_size`/`analysed_mtime` are what the tagging pipeline analysed: a tag
    write is refused when the file changed since (ARCHITECTURE §7). A file mutagen cannot read
    (truncated, not audio, empty, unstorable name) keeps a row with `is_readable=False` and the
    reason in `read_error`, so the user sees why it is skipped.
    """

    library = models.ForeignKey("library.Library", on_delete=models.CASCADE, related_name="tracks")
    path = models.CharField(max_length=4096, unique=True)
    relative_path = models.CharField(max_length=4096)
    size = models.BigIntegerField()
    mtime = models.FloatField()

    format = models.CharField(max_length=16, blank=True)
    codec = models.CharField(max_length=32, blank=True)
    sample_rate = models.PositiveIntegerField(null=True, blank=True)
    channels = models.PositiveSmallIntegerField(null=True, blank=True)
    bitrate = models.PositiveIntegerField(null=True, blank=True, help_text="bits per second")
    duration = models.FloatField(null=True, blank=True, help_text="seconds")

    artist = models.CharField(max_length=1000, blank=True)
    album_artist = models.CharField(max_length=1000, blank=True)
    album = models.CharField(max_length=1000, blank=True)
    title = models.CharField(max_length=1000, blank=True)
    track_number = models.PositiveIntegerField(null=True, blank=True)
    disc_number = models.PositiveIntegerField(null=True, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True)
    genre = models.CharField(max_length=500, blank=True)
    musicbrainz_recording_id = models.CharField(max_length=255, blank=True)
    musicbrainz_track_id = models.CharField(max_length=255, blank=True)
    musicbrainz_album_id = models.CharField(max_length=255, blank=True)
    musicbrainz_artist_id = models.CharField(max_length=255, blank=True)
    namespace_tags = models.JSONField(
        default=dict, blank=True, help_text="Tags of Nomarr's namespace already in the file."
    )

    is_readable = models.BooleanField(default=True)
    read_error = models.TextField(blank=True)

    analysed_size = models.BigIntegerField(null=True, blank=True)
    analysed_mtime = models.FloatField(null=True, blank=True)
    tagged_version = models.CharField(max_length=200, blank=True)
    tagged_at = models.DateTimeField(null=True, blank=True)

    last_seen_scan = models.DateTimeField(
        null=True, blank=True, help_text="Start time of the last scan that saw this file."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["library", "artist"], name="track_library_artist"),
            models.Index(fields=["library", "album"], name="track_library_album"),
            # Move detection looks up a vanished track by what a moved file keeps.
            models.Index(fields=["library", "size", "mtime"], name="track_library_size_mtime"),
        ]

    def __str__(self) -> str:
        return self.path
