"""The one JSON shape of a job, used by the API, the legacy API and the `queue.jobs` events
(typed as `nomarr_site.events.envelope.JobData`)."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.models import Job
from nomarr_site.events.envelope import JobData


class ProgressSerializer(serializers.Serializer):
    fraction = serializers.FloatField(allow_null=True)
    message = serializers.CharField()
    counters = serializers.DictField()
    speed = serializers.FloatField(allow_null=True)
    eta = serializers.FloatField(allow_null=True)


class JobSerializer(serializers.ModelSerializer):
    error_message = serializers.SerializerMethodField()
    priority = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    # Kept from before subjects: the subject's id when it is a library or a track.
    library_id = serializers.SerializerMethodField()
    track_id = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "path",
            "status",
            "started_at",
            "finished_at",
            "error_message",
            "force",
            "kind",
            "priority",
            "position",
            "progress",
            "attempts",
            "max_attempts",
            "created_at",
            "library_id",
            "track_id",
            "subject",
            "cancel_requested",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_error_message(self, job: Job) -> str | None:
        return job.error_message or None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="e.g. library.track:42"))
    def get_subject(self, job: Job) -> str | None:
        return None if job.subject is None else str(job.subject)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_library_id(self, job: Job) -> int | None:
        return job.subject_pk("library.library")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_track_id(self, job: Job) -> int | None:
        return job.subject_pk("library.track")

    @extend_schema_field(serializers.ChoiceField(choices=Job.Priority.labels))
    def get_priority(self, job: Job) -> str:
        return Job.Priority(job.priority).label

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, job: Job) -> dict:
        return {
            "fraction": job.progress_fraction,
            "message": job.progress_message,
            "counters": job.progress_counters or {},
            "speed": job.progress_speed,
            "eta": job.progress_eta,
        }


class JobDetailSerializer(JobSerializer):
    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "payload", "result", "worker_id", "heartbeat_at"]
        read_only_fields = fields


def job_json(job: Job, detail: bool = False) -> JobData:
    """The job as the API lists it; `detail` adds the fields of the single-job endpoints."""
    serializer = JobDetailSerializer if detail else JobSerializer
    return cast(JobData, dict(serializer(job).data))
