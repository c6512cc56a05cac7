"""Queue timings are read once, by settings.py, and a bad value stops start-up naming it."""

from __future__ import annotations

import os
import subprocess
import sys

from jobs import conf
from tests.support.server import REPO


def test_the_queue_timings_follow_the_settings(settings):
    settings.JOB_STALE_SECONDS = 30
    settings.JOB_SWEEP_SECONDS = 7
    settings.JOB_RETRY_BASE_SECONDS = 3
    assert conf.stale_seconds() == 30
    assert conf.heartbeat_seconds() == 5.0
    assert conf.sweep_seconds() == 7.0
    assert [conf.backoff_seconds(n) for n in (1, 2, 3)] == [3.0, 6.0, 12.0]
    assert conf.backoff_seconds(20) == 300.0  # capped at five minutes


def test_a_bad_queue_timing_stops_start_up_naming_the_variable(tmp_path):
    environment = {
        **os.environ,
        "NOMARR_DATA_DIR": str(tmp_path),
        "NOMARR_SWEEP_SECONDS": "soon",
        "DJANGO_SETTINGS_MODULE": "nomarr_site.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "NOMARR_SWEEP_SECONDS: expected an integer, got 'soon'" in result.stderr
