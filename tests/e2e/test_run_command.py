"""The README's run command (`scripts/run`) on this checkout: it serves /health and the
setup/login pages on a fresh data dir, and SIGTERM stops it with everything it started."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request

import psutil
import pytest

from tests.e2e.conftest import (
    REPO,
    STOP_TIMEOUT,
    base_env,
    free_port,
    launch,
    stop,
    wait_until_healthy,
)

pytestmark = pytest.mark.e2e

STRONG_PASSWORD = "Run-Command-7!"
CHILD_TIMEOUT = 60  # the cluster starts after migrations and daphne


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand the 3xx back as an HTTPError instead of following it


def get(url: str) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of a GET, redirects not followed."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def post_json(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


LEAKY_KEY = "nmr_must-never-be-logged-42"


def wait_for_log(log, text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert time.monotonic() < deadline, f"{text!r} never logged:\n{log.read_text()[-2000:]}"
        time.sleep(0.1)


def started_children(pid: int) -> list[psutil.Process]:
    """Wait until serve has started the web process (daphne) and the cluster; return all its
    descendants."""
    deadline = time.monotonic() + CHILD_TIMEOUT
    while True:
        children = psutil.Process(pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children if child.is_running()]
        if any("nomarr_site.web" in c for c in commands) and any("qcluster" in c for c in commands):
            return children
        assert time.monotonic() < deadline, f"serve's children never all started: {commands}"
        time.sleep(0.2)


def leftovers(data_dir: str) -> list[str]:
    """daphne/qcluster processes still running for this data dir (orphans included)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        command = " ".join(proc.info["cmdline"] or [])
        if "nomarr_site.web" not in command and "qcluster" not in command:
            continue
        try:
            if proc.environ().get("NOMARR_DATA_DIR") == data_dir and proc.is_running():
                found.append(f"{proc.pid} {command}")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def test_the_readme_run_command_serves_health_and_the_login_page_and_stops_cleanly(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = base_env(data_dir)
    del env["NOMARR_ADMIN_PASSWORD"]  # a fresh start: the web UI asks for the password
    del env["PYTHONUNBUFFERED"]  # as a user starts it: serve must keep its children's logs live
    env["NOMARR_LOG_LEVEL"] = "INFO"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "run.log"
    process = launch([str(REPO / "scripts" / "run"), "--port", str(port)], env, log)
    try:
        wait_until_healthy(process, base_url, log)
        status, _, body = get(base_url + "/health")
        assert status == 200
        assert json.loads(body)["status"] == "healthy"

        status, headers, _ = get(base_url + "/web/login")
        assert status == 302
        assert headers["Location"].endswith("/web/setup")
        status, _, body = get(base_url + "/web/setup")
        assert status == 200
        assert 'data-testid="setup-form"' in body

        assert post_json(base_url + "/api/auth/setup", {"master_password": STRONG_PASSWORD}) == 201
        status, _, body = get(base_url + "/web/login")
        assert status == 200
        assert 'data-testid="login-form"' in body

        # A key in the query string (as Lidarr sends it) must not reach the access log.
        status, _, _ = get(base_url + f"/api/v1/info?apikey={LEAKY_KEY}&verbose=1")
        assert status == 200
        wait_for_log(log, "/api/v1/info?apikey=[redacted]&verbose=1")
        assert LEAKY_KEY not in log.read_text()

        children = started_children(process.pid)
        process.send_signal(signal.SIGTERM)  # scripts/run exec'd `nom serve`: same process
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve did not stop in {STOP_TIMEOUT} s:\n{log.read_text()[-4000:]}")
        assert process.returncode == 0, log.read_text()[-4000:]
        _, alive = psutil.wait_procs(children, timeout=5)
        assert not alive, [" ".join(child.cmdline()) for child in alive]
        assert not leftovers(str(data_dir))
    finally:
        stop(process)
