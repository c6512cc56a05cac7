"""What the library contributes to GET /api/v1/info: libraries, tracks, the model suite and the
inference engine (with the reason when it is not OpenVINO).
The models folder and the problems (which name files and folders) are for callers with a
credential; anyone else gets the status, the model names and a count of problems."""

from __future__ import annotations

from library.checks import models_dir
from library.models import Library, Track
from library.tagging import engine_settings
from library.tagging.model_suite import discover


def _models(include_paths: bool) -> dict:
    suite = discover(models_dir())
    if not suite.directory.is_dir():
        status = "missing"
    elif not suite.heads:
        status = "no usable heads"
    else:
        status = "ready" if not suite.problems else "ready with problems"
    models = {
        "status": status,
        "embeddings": [e.name for e in suite.embeddings],
        "heads": [h.name for h in suite.heads],
        "suite_version": suite.version if suite.heads else None,
        "problem_count": len(suite.problems),
    }
    if include_paths:
        models["directory"] = str(suite.directory)
        models["problems"] = [f"{p.path}: {p.message}" for p in suite.problems]
    return models


def info(include_paths: bool = False) -> dict:
    return {
        "libraries": {
            "configured": Library.objects.count(),
            "enabled": Library.objects.filter(is_enabled=True).count(),
            "tracks": Track.objects.count(),
        },
        "models": _models(include_paths),
        "inference": engine_settings.status(),
    }
