"""The dashboard's "Get started" list: what a new owner has done and what is left, each open
step linking to where it is done, with commands spelled as they work from the project
folder."""

from __future__ import annotations

from dataclasses import dataclass

from library.checks import models_dir
from library.models import Library, Track
from library.tagging.model_suite import discover
from nomarr_site.models import ApiKey


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    link: str
    link_text: str
    hint: str = ""


def first_steps() -> list[Step]:
    """The four steps in the order a new owner takes them: the models before the library, whose
    first scan queues its tracks for tagging only once models are in place."""
    suite = discover(models_dir())
    return [
        Step(
            "models",
            "Put Essentia's models in the models folder",
            bool(suite.heads),
            "/web/settings#configuration",
            "Settings (models folder)",
            f"From the project folder: .venv/bin/nom models fetch (into {suite.directory})",
        ),
        Step(
            "library",
            "Add your music folder as a library and scan it",
            Library.objects.exists(),
            "/web/libraries",
            "Libraries",
        ),
        Step(
            "tagged",
            "Tag your first tracks",
            Track.objects.exclude(tagged_version="").exists(),
            "/web/process",
            "Processing",
        ),
        Step(
            "api_key",
            "Create an API key for Lidarr or your scripts",
            ApiKey.objects.active().exists(),
            "/web/settings#api-keys",
            "Settings (API keys)",
        ),
    ]
