"""`nom serve`: migrate, then run daphne (web, API, WebSocket) and the django-q2 worker
cluster as supervised child processes; restart a child that dies, stop both cleanly on
SIGINT/SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from nomarr_site import log_level
from nomarr_site.auth import passwords

STOP_GRACE_SECONDS = 20
RESTART_BACKOFF_MAX = 30
HEALTHY_UPTIME_SECONDS = 60  # a child that ran this long is not crash-looping


class Child:
    """One supervised process with restart back-off."""

    def __init__(self, name: str, argv: list[str]):
        self.name = name
        self.argv = argv
        self.process: subprocess.Popen | None = None
        self.failures = 0
        self.next_start = 0.0
        self.started_at = 0.0

    def start(self) -> None:
        # Unbuffered: daphne writes its access log without flushing, so behind a pipe (Docker,
        # systemd) its lines would otherwise appear in bursts, long after the requests.
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(self.argv, env=env)  # noqa: S603 - our own interpreter
        self.started_at = time.monotonic()

    def poll(self, log) -> None:
        now = time.monotonic()
        if self.process is None:
            if now >= self.next_start:
                self.start()
            return
        code = self.process.poll()
        if code is None:
            return
        if code == 0 or now - self.started_at >= HEALTHY_UPTIME_SECONDS:
            # A clean exit is a requested restart; a long run was healthy: start again at once.
            self.failures = 0
            delay = 0
        else:
            self.failures += 1
            delay = min(2**self.failures, RESTART_BACKOFF_MAX)
        log(f"{self.name} exited with code {code}; restarting in {delay} s")
        self.process = None
        self.next_start = now + delay

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)

    def wait(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Command(BaseCommand):
    help = "Run Nomarr: web UI, API and workers (applies migrations first)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.BIND_ADDRESS, help="address to bind")
        parser.add_argument("--port", type=int, default=settings.PORT, help="port to listen on")
        parser.add_argument(
            "--no-workers", action="store_true", help="serve the web UI and API only"
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="skip applying database migrations"
        )

    def handle(self, *args, **options):
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, got {port}")
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        log_level.refresh(force=True)  # the stored level, for this supervisor's own lines
        try:
            if passwords.bootstrap_from_environment(settings.ADMIN_PASSWORD):
                self.stdout.write("Admin password set from NOMARR_ADMIN_PASSWORD.")
        except passwords.WeakPassword as exc:
            raise CommandError(f"NOMARR_ADMIN_PASSWORD is not accepted: {exc}") from None

        python = sys.executable
        children = [
            Child(
                "web",
                [
                    python,
                    "-m",
                    "nomarr_site.web",  # daphne, with credentials kept out of its access log
                    "-b",
                    options["host"],
                    "-p",
                    str(port),
                    "nomarr_site.asgi:application",
                ],
            )
        ]
        if not options["no_workers"]:
            children.append(Child("workers", [python, "-m", "nomarr_site.cli", "qcluster"]))

        shown_host = "localhost" if options["host"] in ("0.0.0.0", "::") else options["host"]  # noqa: S104
        self.stdout.write(f"Nomarr {settings.VERSION} is starting: http://{shown_host}:{port}/")
        if not passwords.is_configured():
            self.stdout.write("First start: open that address to choose the admin password.")
        self.stdout.flush()

        stopping: list[int] = []

        def request_stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        def log(message: str) -> None:
            self.stderr.write(message)

        for child in children:
            child.start()
        while not stopping:
            for child in children:
                child.poll(log)
            time.sleep(0.2)

        self.stdout.write("Stopping Nomarr ...")
        for child in children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            child.wait(deadline)
        self.stdout.write("Stopped.")
