"""The inference engine the settings ask for and the one tagging really uses (OpenVINO needs to
import here), with the reason when it is not OpenVINO, for the settings page, `nom models list`
and `/api/v1/info`; and the threads each inference gets: the cores shared by the tag jobs
that run at once."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

from jobs.registry import concurrency_for
from library.tagging.engines import EngineSettings
from library.tagging.openvino_models import availability, precision_type
from nomarr_site import config


def threads_per_job() -> int:
    """Each tag job's share of the cores: the cores over the tag jobs running at once."""
    jobs = min(concurrency_for("tag", settings.WORKERS), settings.WORKERS)
    return max(1, (os.cpu_count() or 1) // max(1, jobs))


def current() -> tuple[EngineSettings, str | None]:
    """The engine tagging uses now, and why it is not OpenVINO (None when it is)."""
    requested = config.get("inference_engine")
    precision = config.get("inference_precision")
    if requested == "essentia":
        return EngineSettings("essentia"), "the inference_engine setting is essentia"
    usable, detail = availability()
    if not usable:
        return EngineSettings("essentia"), f"{detail}; Essentia's engine runs instead"
    return EngineSettings("openvino", precision, threads_per_job()), None


def status() -> dict[str, Any]:
    """What the info endpoint, the settings page and the CLI show about inference."""
    engine, reason = current()
    usable, detail = availability()
    report: dict[str, Any] = {
        "engine": engine.name,
        "requested": config.get("inference_engine"),
        "precision": config.get("inference_precision"),
        "openvino": detail if usable else None,
        "reason": reason,
    }
    if engine.name == "openvino":
        report["inference_type"] = precision_type(engine.precision)
        report["threads_per_job"] = engine.threads
    return report


def describe(report: dict[str, Any]) -> str:
    """One line for people: which engine, at what precision, or why not OpenVINO."""
    if report["engine"] == "openvino":
        return (
            f"OpenVINO {report['openvino']}, {report['precision']} precision "
            f"({report['inference_type']}), {report['threads_per_job']} thread(s) per tag job"
        )
    return f"Essentia's engine: {report['reason']}"
