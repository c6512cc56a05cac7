"""The real `nom serve` process on a loopback port, in the embedded set-up (SQLite file in a
private data dir, no Redis) and, when DATABASE_URL and REDIS_URL are set, the scale-out one (a
private PostgreSQL database created for the run and the Redis channel layer). The server and
every process it started are always stopped, whatever the test did."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.server import (  # noqa: F401 - re-exported for the e2e tests
    REPO,
    START_TIMEOUT,
    STOP_TIMEOUT,
    base_env,
    free_port,
    launch,
    stop,
    wait_until_healthy,
)

ADMIN_PASSWORD = "Correct-Horse-9"


@dataclass
class Server:
    base_url: str
    port: int
    env: dict[str, str]
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def post_json(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(
            self.url(path),
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def login(self) -> str:
        """A session token from POST /api/web/auth/login."""
        return self.post_json("/api/web/auth/login", {"password": ADMIN_PASSWORD})["session_token"]

    def python(self, code: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """Run `code` in a separate Python process with the server's environment (a worker)."""
        return subprocess.run(
            [sys.executable, "-c", code],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture
def private_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database next to the one DATABASE_URL names, dropped afterwards."""
    import psycopg

    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = f"nomarr_e2e_{secrets.token_hex(4)}"
    admin_url = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["embedded", "scale-out"])
def server(request, tmp_path) -> Iterator[Server]:
    """`nom serve --no-workers` in one of the two set-ups."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = base_env(data_dir)
    if request.param == "scale-out":
        if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
            pytest.skip("the scale-out set-up needs DATABASE_URL and REDIS_URL (CI sets both)")
        env["DATABASE_URL"] = request.getfixturevalue("private_postgres_url")
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--no-workers"]
    process = launch([*command, "--host", "127.0.0.1", "--port", str(port)], env, log)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(process, base_url, log)
        yield Server(base_url, port, env, log)
    finally:
        stop(process)
