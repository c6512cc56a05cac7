"""What the library contributes to GET /api/v1/info: libraries, tracks and the model suite."""

from __future__ import annotations


def _models() -> dict:
    from library.checks import models_dir
    from library.tagging.registry import discover

    suite = discover(models_dir())
    if not suite.directory.is_dir():
        status = "missing"
    elif not suite.heads:
        status = "no usable heads"
    else:
        status = "ready" if not suite.problems else "ready with problems"
    return {
        "status": status,
        "directory": str(suite.directory),
        "embeddings": [e.name for e in suite.embeddings],
        "heads": [h.name for h in suite.heads],
        "problems": [f"{p.path}: {p.message}" for p in suite.problems],
        "suite_version": suite.version if suite.heads else None,
    }


def info() -> dict:
    from library.models import Library, Track

    return {
        "libraries": {
            "configured": Library.objects.count(),
            "enabled": Library.objects.filter(is_enabled=True).count(),
            "tracks": Track.objects.count(),
        },
        "models": _models(),
    }
