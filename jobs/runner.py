"""The runner base: one place owns a claimed job's lifecycle; a kind implements only `run()`.

The base drives the job's transitions (methods of `Job`), throttles progress, runs a heartbeat
thread while the job runs, turns `Cancelled` into `cancelled`, and retries retryable failures
with exponential back-off until `max_attempts`. Every final write is conditional on the job
still being ours (running, same attempt), so a job the stuck sweep took back is never
overwritten.
"""

from __future__ import annotations

import abc
import json
import logging
import threading
import time
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from jobs import conf, registry
from jobs.models import Job
from jobs.services import events, workers

logger = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised by `check_cancelled()`; the base records the job as cancelled."""


class RetryableError(Exception):
    """Raise (or list in `retryable_exceptions`) for failures worth another attempt."""


class JobFailed(Exception):
    """An expected failure whose message is meant for the user (a damaged file, a library that
    was removed): the job ends `error` with exactly that message, and the log gets one line
    instead of a traceback. Any other exception is recorded with its class name and logged
    with its traceback, as the bug it probably is."""


class JobRunner(abc.ABC):
    """Subclass, decorate with `@register(kind, ...)`, implement `run()`."""

    kind: str = ""
    retryable_exceptions: tuple[type[BaseException], ...] = (RetryableError,)

    def __init__(self, job: Job):
        self.job = job
        self.payload: dict[str, Any] = job.payload or {}
        self.logger = logging.LoggerAdapter(logger, {"job_id": job.pk, "kind": job.kind})
        self._last_progress = 0.0

    @abc.abstractmethod
    def run(self) -> dict | None:
        """Do the work; return a JSON-serialisable result (or None)."""

    def progress(
        self,
        fraction: float | None = None,
        message: str = "",
        *,
        speed: float | None = None,
        eta: float | None = None,
        force: bool = False,
        **counters: Any,
    ) -> bool:
        """Record progress; written and announced at most a few times per second.

        Returns True when this call was written (throttled calls return False).
        """
        now = time.monotonic()
        if not force and now - self._last_progress < conf.progress_interval():
            return False
        self._last_progress = now
        self.job.record_progress(fraction, message, counters, speed=speed, eta=eta)
        events.emit_job(self.job)
        return True

    def check_cancelled(self) -> None:
        """Raise `Cancelled` if someone asked to cancel this job (call between items)."""
        flagged = Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()
        if flagged:
            raise Cancelled(f"Job {self.job.pk} was cancelled")


class _Heartbeat(threading.Thread):
    """Touches `heartbeat_at` while the job runs, so the stuck sweep leaves it alone."""

    def __init__(self, job: Job):
        super().__init__(name=f"job-heartbeat-{job.pk}", daemon=True)
        self.job_id = job.pk
        self.attempt = job.attempts
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(conf.heartbeat_seconds()):
                now = timezone.now()
                Job.objects.beat(self.job_id, self.attempt, now)
                workers.touch_current_worker(now)
        except Exception:  # a missed beat is recoverable; never crash the worker
            logger.warning("Heartbeat of job %s failed", self.job_id, exc_info=True)
        finally:
            close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def _cancel_reason(job: Job) -> str:
    """Why the job was cancelled (`manage.cancel` stores it with the flag), or "" if it was not."""
    row = Job.objects.filter(pk=job.pk, cancel_requested=True).values("error_message").first()
    return "" if row is None else (row["error_message"] or "Cancelled")


def _ended(job: Job, won: bool) -> bool:
    """Announce a final transition the runner won; a lost one means the sweep took the job
    back (a new attempt owns it now), so this attempt's outcome is dropped."""
    if not won:
        logger.warning("Job %s was taken back before it finished; result dropped", job.pk)
        return False
    events.emit_job(job)
    events.emit_queue_status()
    return True


def _schedule_retry(job: Job, exc: BaseException) -> None:
    """Back off and try again, logging one line: a server that is down for an hour fails every
    attempt the same way, and a traceback each time would bury the rest of the log."""
    delay = conf.backoff_seconds(job.attempts)
    message = f"Attempt {job.attempts} failed: {exc}; retrying in {delay:g} s"
    logger.warning(
        "Job %s (%s) failed on attempt %s of %s, retrying in %g s: %s: %s",
        job.pk,
        job.kind,
        job.attempts,
        job.max_attempts,
        delay,
        type(exc).__name__,
        exc,
    )
    if job.schedule_retry(delay, message):
        events.emit_job(job)


def _log_failure(job: Job, exc: BaseException) -> None:
    """The job failed for good: a JobFailed in one line (its message is the whole story),
    anything else with its traceback, as the bug it probably is."""
    if isinstance(exc, JobFailed):
        logger.warning("Job %s (%s) failed: %s", job.pk, job.kind, exc)
    else:
        logger.error(
            "Job %s (%s) failed on attempt %s", job.pk, job.kind, job.attempts, exc_info=exc
        )


def error_text(exc: BaseException) -> str:
    """The job's error message, a sentence for people: a JobFailed's own words, else the
    exception's text as an unexpected problem (its class and traceback go to the log only)."""
    text = str(exc).strip()
    if isinstance(exc, JobFailed) and text:
        return text[:4000]
    what = text.rstrip(".") if text else "it stopped without saying why"
    return f"Nomarr hit an unexpected problem: {what}. The server log has the details."[:4000]


def _checked_result(result: Any) -> Any:
    if result is not None and not isinstance(result, dict):
        raise TypeError(f"run() must return a dict or None, got {type(result).__name__}")
    json.dumps(result)  # a result that cannot be stored is the kind's error, not ours
    return result


def execute(job: Job) -> Job:
    """Run a job this worker has claimed (status running) to its next state."""
    spec = registry.get(job.kind)
    if spec is None:
        message = (
            f"Unknown job kind {job.kind!r}: no runner is registered for it "
            "(the app that provided it is missing or was removed)."
        )
        logger.error("Job %s: %s", job.pk, message)
        _ended(job, job.fail(message))
        return job
    events.emit_job(job)
    runner = spec.runner(job)
    heartbeat = _Heartbeat(job)
    heartbeat.start()
    try:
        if job.cancel_requested:  # as read by the claim a moment ago
            raise Cancelled(f"Job {job.pk} was cancelled")
        result = _checked_result(runner.run())
    except Cancelled:
        heartbeat.stop()
        _ended(job, job.end_cancelled(_cancel_reason(job) or "Cancelled"))
    except Exception as exc:
        heartbeat.stop()
        reason = _cancel_reason(job)
        if reason:  # a failure caused by what the cancel undid (e.g. its library was removed)
            logger.info("Job %s (%s) stopped after a cancel: %s", job.pk, job.kind, exc)
            _ended(job, job.end_cancelled(reason))
            return job
        retryable = isinstance(exc, runner.retryable_exceptions)
        if retryable and job.attempts < job.max_attempts:
            _schedule_retry(job, exc)
        else:
            _log_failure(job, exc)
            _ended(job, job.fail(error_text(exc)))
    else:
        heartbeat.stop()
        _ended(job, job.finish(result))
    return job
