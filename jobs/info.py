"""What the job queue contributes to GET /api/v1/info."""

from __future__ import annotations

from jobs.services.workers import cluster_summary


def info() -> dict:
    summary = cluster_summary()
    return {"worker": {"alive": summary["alive"], "status": summary["status"]}}
