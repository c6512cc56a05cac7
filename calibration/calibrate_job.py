"""Job kind `calibrate`: builds a calibration run from the stored scores in a worker, with
progress per head and class.

`queue_calibrate` is the one way to queue it: payload `CalibratePayload` ({"save_sidecars"}),
dedup key `calibrate` (one run at a time), no subject."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from calibration.build import NotEnoughTracks, build
from calibration.sidecars import save_sidecars
from jobs.models import Job
from jobs.registry import register
from jobs.runner import JobFailed, JobRunner
from jobs.services.enqueue import enqueue


class CalibratePayload(TypedDict):
    save_sidecars: bool


def calibrate_dedup_key(payload: Mapping[str, Any]) -> str:
    return "calibrate"


def queue_calibrate(save_sidecars: bool = False) -> Job:
    """Queue a calibration run; the pending or running one is returned instead of a second."""
    payload: CalibratePayload = {"save_sidecars": save_sidecars}
    return enqueue("calibrate", payload=payload)


@register("calibrate", max_attempts=1, payload=CalibratePayload, dedup_key=calibrate_dedup_key)
class CalibrateRunner(JobRunner):
    def run(self) -> dict:
        try:
            run = build(progress=self._progress)
        except NotEnoughTracks as exc:
            raise JobFailed(exc.message) from exc
        saved = save_sidecars(run) if self.payload.get("save_sidecars") else []
        message = f"Calibration {run.version}: {run.heads} heads, {run.changed_heads} changed"
        self.progress(1.0, message, force=True)
        return {
            "version": run.version,
            "heads": run.heads,
            "changed_heads": run.changed_heads,
            "saved_files": saved,
        }

    def _progress(self, fraction: float, message: str) -> None:
        if self.progress(fraction, message):
            self.check_cancelled()
