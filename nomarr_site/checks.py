"""Django system checks for the platform: a data dir that cannot be written, or a setting pinned
by a bad environment value that must not be ignored, stops start-up."""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks

from nomarr_site.config import fatal_env_problems, overridden_problems


@checks.register(checks.Tags.compatibility)
def data_dir_writable(app_configs, **kwargs):
    path = settings.DATA_DIR
    if not os.access(path, os.W_OK):
        return [
            checks.Error(
                f"The data directory {path} is not writable.",
                hint="Set NOMARR_DATA_DIR to a folder this user can write.",
                id="nomarr.E001",
            )
        ]
    return []


@checks.register(checks.Tags.compatibility)
def setting_overrides_parse(app_configs, **kwargs):
    return [
        checks.Warning(problem, hint="Fix or unset the variable.", id="nomarr.W001")
        for problem in overridden_problems()
    ]


@checks.register(checks.Tags.compatibility)
def strict_setting_overrides_parse(app_configs, **kwargs):
    return [
        checks.Error(problem, hint="Fix or unset the variable.", id="nomarr.E008")
        for problem in fatal_env_problems()
    ]
