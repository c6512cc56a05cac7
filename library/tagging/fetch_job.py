"""Job kind `models_fetch`: downloads a model set (`nom models fetch` from the web UI) into the
models folder in a worker, with progress per file; downloads resume where a stopped one ended.

`queue_models_fetch` is the one way to queue it: payload `ModelsFetchPayload` ({"model_set"}),
dedup key `models_fetch` (one download at a time), no subject. When it ends, workers reload
their models before their next tag job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from django.conf import settings

from jobs.models import Job
from jobs.registry import register
from jobs.runner import JobFailed, JobRunner
from jobs.services.enqueue import enqueue
from library.checks import models_dir
from library.tagging.fetch import FetchError, FetchReport, fetch_set
from library.tagging.model_sets import MODEL_SETS
from library.tagging.model_suite import discover
from library.tagging.tag_job import refresh_model_cache
from nomarr_site.domain import Invalid


class ModelsFetchPayload(TypedDict):
    model_set: str  # a key of MODEL_SETS


def queue_models_fetch(model_set: str) -> Job:
    if model_set not in MODEL_SETS:
        raise Invalid(
            f"Unknown model set {model_set!r}; choose one of {', '.join(MODEL_SETS)}",
            field="model_set",
        )
    payload: ModelsFetchPayload = {"model_set": model_set}
    return enqueue("models_fetch", payload=payload)


def fetch_dedup_key(payload: Mapping[str, Any]) -> str:
    return "models_fetch"


@register(
    "models_fetch",
    concurrency=1,
    max_attempts=1,
    payload=ModelsFetchPayload,
    dedup_key=fetch_dedup_key,
    subject=lambda payload: None,
)
class ModelsFetchRunner(JobRunner):
    """Fetches the set file by file; the progress counters name the file and its bytes."""

    def run(self) -> dict:
        files = MODEL_SETS[self.payload["model_set"]]
        self.total_files = len(files)
        self.seen: list[str] = []  # in download order (metadata first)
        self.directory = models_dir()
        report = FetchReport()
        try:
            fetch_set(files, self.directory, settings.MODELS_URL, self._progress, report=report)
        except FetchError as exc:
            raise JobFailed(f"Fetching the models stopped: {exc}") from None
        finally:
            refresh_model_cache()
        suite = discover(self.directory)
        self.progress(1.0, f"{len(suite.heads)} usable heads in {self.directory}", force=True)
        return {
            "directory": self.directory,
            "downloaded": report.downloaded,
            "present": report.present,
            "changed": [problem.message for problem in report.changed],
            "heads": len(suite.heads),
        }

    def _progress(self, name: str, done: int, total: int | None) -> None:
        if name not in self.seen:
            self.seen.append(name)
        index = self.seen.index(name)
        within = done / total if total else 0.0
        written = self.progress(
            (index + within) / max(self.total_files, 1),
            f"{name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else name,
            force=bool(total) and done >= (total or 0),  # each file's end is always shown
            file=name,
            file_number=index + 1,
            files=self.total_files,
            file_bytes=done,
            file_total=total or 0,
        )
        if written:  # a database read: as often as progress is written, not per chunk
            self.check_cancelled()
