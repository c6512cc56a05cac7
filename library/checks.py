"""Django system checks for tagging: report a missing models folder, no usable heads and every
model file that cannot be used (missing embedding, bad metadata, wrong class count)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from library.tagging.model_suite import discover
from nomarr_site import config

logger = logging.getLogger(__name__)


def models_dir() -> str:
    """The configured models folder; settings.MODELS_DIR while the database is not ready."""
    try:
        return str(config.get("models_dir"))
    except (DatabaseError, RuntimeError):  # RuntimeError: database access blocked (tests)
        return str(settings.MODELS_DIR)


@checks.register(checks.Tags.compatibility)
def tagging_models(app_configs, **kwargs):
    directory = models_dir()
    suite = discover(directory)
    hint = f"Run `nom models fetch` or put Essentia's .pb and .json files in {directory}."
    if not suite.directory.is_dir():
        return [
            checks.Warning(
                f"The models folder {directory} does not exist; tagging is unavailable.",
                hint=hint,
                id="library.W001",
            )
        ]
    messages = []
    if not suite.heads:
        messages.append(
            checks.Warning(
                f"No usable Essentia classifier heads in {directory}; tagging is unavailable.",
                hint=hint,
                id="library.W002",
            )
        )
    for problem in suite.problems:
        if problem.path != ".":
            messages.append(
                checks.Warning(
                    f"Model {problem.path}: {problem.message}.",
                    hint="This model is skipped; the others still tag.",
                    id="library.W003",
                )
            )
    return messages
