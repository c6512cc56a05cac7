"""A folder picked on the Processing page, handed to the real `nom serve` and a real worker
cluster (django-q2's ORM broker in the embedded set-up): its scan job ends `done` and every
audio file under the folder gets a tag job."""

from __future__ import annotations

import json
import sys
import time
import urllib.request

import pytest

from tests.e2e.conftest import Server, launch, stop
from tests.support.audio import make_audio

pytestmark = pytest.mark.e2e

WAIT = 90
FINISHED = ("done", "error", "cancelled")


def call(server: Server, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        server.url(path),
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_until_finished(server: Server, token: str, job_id: int, log) -> dict:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        job = call(server, token, "GET", f"/api/web/queue/status/{job_id}")
        if job["status"] in FINISHED:
            return job
        time.sleep(0.3)
    pytest.fail(f"job {job_id} never finished: {job}\n{log.read_text()[-3000:]}")


def test_a_folder_queued_on_the_real_server_ends_its_scan_done_and_queues_its_files(
    server, tmp_path
):
    album = tmp_path / "music" / "Artist" / "Album"
    album.mkdir(parents=True)
    song = make_audio(tmp_path / "song.flac", seconds=1.0)
    for name in ("01", "02", "03"):
        (album / f"{name}.flac").write_bytes(song.read_bytes())
    # Auto-tag off: every tag job must come from the folder request itself.
    env = {**server.env, "NOMARR_WORKERS": "1", "NOMARR_LIBRARY_AUTO_TAG": "false"}
    log = tmp_path / "qcluster.log"
    cluster = launch([sys.executable, "-m", "nomarr_site.cli", "qcluster"], env, log)
    try:
        token = server.login()
        call(
            server,
            token,
            "POST",
            "/api/web/libraries",
            {"name": "Music", "root_path": str(tmp_path / "music")},
        )
        report = call(
            server, token, "POST", "/api/web/processing/process-files", {"paths": [str(album)]}
        )
        assert report["queued"] == 1, report
        scan = wait_until_finished(server, token, report["job_ids"][0], log)
        assert scan["kind"] == "scan"
        assert scan["status"] == "done", scan
        listed = call(server, token, "GET", "/api/web/queue/list?kind=tag&limit=50")
        assert sorted(job["path"] for job in listed["jobs"]) == [
            str(album / f"{name}.flac") for name in ("01", "02", "03")
        ]
    finally:
        stop(cluster)
