"""Backoffice registrations for `jobs`."""

from django.contrib import admin

from jobs.models import Job, QueueControl, WorkerHeartbeat


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "priority", "subject", "path", "attempts", "created_at"]
    list_filter = ["status", "kind", "priority", "subject_type"]
    search_fields = ["path", "dedup_key"]
    readonly_fields = ["created_at", "started_at", "finished_at", "heartbeat_at", "worker_id"]


@admin.register(QueueControl)
class QueueControlAdmin(admin.ModelAdmin):
    list_display = ["id", "paused", "paused_at", "restart_requested_at"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker_id", "kind", "number", "host", "pid", "current_job", "last_seen"]
