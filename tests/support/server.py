"""Starting and stopping the real `nom serve` (or any Nomarr process) for end-to-end and UI
tests: a free loopback port, a process group of its own, a wait for /health, and a stop that
always cleans up the whole group, whatever the test did."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90  # migrations on a fresh database included
STOP_TIMEOUT = 25  # serve gives its children 20 s
ADMIN_PASSWORD = "Correct-Horse-9"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `command` from the repository root in a process group of its own (so `stop` can
    clean up everything it started), its output going to `log`."""
    with log.open("w") as output:
        return subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_healthy(process: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nom serve exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(base_url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"nom serve did not answer /health in {START_TIMEOUT} s:\n{log.read_text()[-4000:]}"
    )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the supervisor (it stops daphne), then kill whatever is left of its group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group we created for this server only
    except ProcessLookupError:
        pass
    if process.poll() is None:
        process.wait(timeout=STOP_TIMEOUT)


def base_env(data_dir: Path, admin_password: str = ADMIN_PASSWORD) -> dict[str, str]:
    """This process's environment for a server of its own: a private data dir, the admin
    password preset, no database/Redis/test settings leaking in from the test run, and this
    checkout's code first on the path (whichever checkout the virtual environment's editable
    install points at)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "REDIS_URL", "NOMARR_ENV_FILE")
        and not name.startswith(("PYTEST_", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "nomarr_site.settings",
            "NOMARR_DATA_DIR": str(data_dir),
            "NOMARR_ADMIN_PASSWORD": admin_password,
            "NOMARR_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(REPO),
        }
    )
    return env
