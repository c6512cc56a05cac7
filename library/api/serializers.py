"""Shapes of the library API: libraries, scan requests, tracks and their scores."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from library.models import Library, Track, TrackScore
from nomarr_site.integers import IdField

MAX_SCAN_PATHS = 1000


class LastScanSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    status = serializers.CharField()
    at = serializers.DateTimeField(help_text="when it finished, else started, else was queued")


class LibrarySerializer(serializers.ModelSerializer):
    """The reference's fields, then what the Libraries page shows beside each library; read
    the library through `library.libraries.with_overview` (`library_json` does)."""

    file_count = serializers.IntegerField(read_only=True)
    tagged_count = serializers.IntegerField(read_only=True)
    last_scan = serializers.SerializerMethodField()

    class Meta:
        model = Library
        fields = [
            "id",
            "name",
            "root_path",
            "kind",
            "is_enabled",
            "is_default",
            "created_at",
            "updated_at",
            "file_count",
            "tagged_count",
            "last_scan",
        ]
        read_only_fields = fields

    @extend_schema_field(LastScanSerializer(allow_null=True))
    def get_last_scan(self, library: Library) -> dict | None:
        job_id = getattr(library, "last_scan_id", None)
        if job_id is None:
            return None
        return {"job_id": job_id, "status": library.last_scan_status, "at": library.last_scan_at}


class LibraryWriteSerializer(serializers.Serializer):
    """Create (name and root_path required) and PATCH (any subset) of a library."""

    name = serializers.CharField(max_length=200)
    root_path = serializers.CharField(max_length=4096, trim_whitespace=False)
    kind = serializers.ChoiceField(choices=Library.Kind.choices, default=Library.Kind.MUSIC)
    is_enabled = serializers.BooleanField(default=True)
    is_default = serializers.BooleanField(default=False)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("The name must not be blank.")
        return value.strip()


class StatsSerializer(serializers.Serializer):
    total_files = serializers.IntegerField()
    unique_artists = serializers.IntegerField()
    unique_albums = serializers.IntegerField()
    total_duration_seconds = serializers.FloatField()


class ScanRequestSerializer(serializers.Serializer):
    paths = serializers.ListField(
        child=serializers.CharField(max_length=4096, trim_whitespace=False, allow_blank=True),
        max_length=MAX_SCAN_PATHS,
        required=False,
        default=list,
        help_text="Folders or files inside the library; empty or absent: the whole root.",
    )
    recursive = serializers.BooleanField(default=True)
    force = serializers.BooleanField(default=False, help_text="Re-read unchanged files too.")
    clean_missing = serializers.BooleanField(
        default=False, help_text="Forget tracks whose file is gone (under the scanned paths)."
    )


class LegacyScanRequestSerializer(serializers.Serializer):
    path = serializers.CharField(max_length=4096, trim_whitespace=False, required=False)
    library_id = IdField(required=False)
    recursive = serializers.BooleanField(default=True)
    force = serializers.BooleanField(default=False)
    clean_missing = serializers.BooleanField(default=False)

    def validate(self, attrs: dict) -> dict:
        if ("path" in attrs) == ("library_id" in attrs):
            raise serializers.ValidationError("Give exactly one of 'path' or 'library_id'.")
        return attrs


class ScanQueuedSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Scan jobs queued by this request (0 or 1).")
    message = serializers.CharField()
    job_id = serializers.IntegerField(help_text="The scan job (new, or the identical one).")


class DeleteRequestSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(default=False)


class DeletedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    tracks_removed = serializers.IntegerField()


class TrackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Track
        exclude = ["library", "last_seen_scan"]

    library_id = serializers.IntegerField(read_only=True)


class TrackScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackScore
        exclude = ["track"]


class TrackDetailSerializer(TrackSerializer):
    scores = TrackScoreSerializer(many=True, read_only=True)
