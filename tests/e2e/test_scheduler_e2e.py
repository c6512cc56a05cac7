"""The rescan schedule on the real `nom serve` and a real worker cluster: the schedule set over
`/api/scheduler/config` is a django-q2 schedule, django-q2's own scheduler fires it, the series
scan runs and `last_run` / `next_run` move on."""

from __future__ import annotations

import json
import sys
import time
import urllib.error

import pytest

from tests.e2e.conftest import Server, launch, stop
from tests.e2e.test_folder_request import call

pytestmark = pytest.mark.e2e

# django-q2's sentinel looks at its schedules every 30 s.
WAIT = 120
DUE_NOW = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
django.setup()
from django.utils import timezone
from django_q.models import Schedule
moved = Schedule.objects.filter(name="nomarr.series_rescan").update(
    next_run=timezone.now() - timezone.timedelta(seconds=1)
)
print(moved)
"""


def answer(server: Server, token: str, method: str, path: str, body=None) -> tuple[int, dict]:
    """Status and body, for the answers that are errors too."""
    try:
        return 200, call(server, token, method, path, body)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for_run(server: Server, token: str, log) -> dict:
    deadline = time.monotonic() + WAIT
    body: dict = {}
    while time.monotonic() < deadline:
        body = call(server, token, "GET", "/api/scheduler/config")
        if body["status"]["last_run"] and not body["status"]["scan_in_progress"]:
            return body
        time.sleep(1)
    pytest.fail(f"the schedule never ran: {body}\n{log.read_text()[-3000:]}")


def test_the_schedule_fires_in_the_real_cluster_and_the_scan_runs(server, tmp_path):
    root = tmp_path / "series"
    (root / "Some Show").mkdir(parents=True)
    log = tmp_path / "qcluster.log"
    env = {**server.env, "NOMARR_WORKERS": "1"}
    cluster = launch([sys.executable, "-m", "nomarr_site.cli", "qcluster"], env, log)
    try:
        token = server.login()
        status, body = answer(server, token, "POST", "/api/scheduler/trigger-rescan")
        assert status == 503 and body["error"] == "SERVICE_UNAVAILABLE", body
        status, body = answer(
            server, token, "POST", "/api/scheduler/config", {"schedule_time": "25:00"}
        )
        assert status == 422 and "schedule_time" in body["details"]["fields"], body
        call(server, token, "POST", "/api/config/directory", {"directory": str(root)})
        body = call(
            server,
            token,
            "POST",
            "/api/scheduler/config",
            {"enabled": True, "interval_minutes": 1440, "schedule_time": "00:00"},
        )
        assert body["status"]["is_running"] is True and body["status"]["last_run"] is None
        first_next = body["status"]["next_run"]
        moved = server.python(DUE_NOW)
        assert moved.stdout.strip() == "1", moved.stderr

        after = wait_for_run(server, token, log)
        assert after["status"]["next_run"] == first_next  # re-armed at the next midnight
        jobs = call(server, token, "GET", "/api/web/queue/list?kind=series_scan&limit=10")
        # Setting the directory queued a scan too; the scheduled one joined or followed it.
        assert jobs["jobs"] and {job["status"] for job in jobs["jobs"]} == {"done"}, jobs
        status, body = answer(server, token, "POST", "/api/scheduler/trigger-rescan")
        assert (status, body) == (200, {"message": "Rescan started successfully"})
    finally:
        stop(cluster)
