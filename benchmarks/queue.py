"""Queue throughput (no-op jobs/s beside raw django-q2 `async_task` tasks/s, same `qcluster`)
and event latency (a worker's `progress()` call to a WebSocket and an SSE client connected to
the real `nom serve`), for the embedded set-up and, when REDIS_URL is set, the scale-out one.

    .venv/bin/python -m benchmarks.queue [--jobs 2000] [--workers 2] [--latency-jobs 10]

Private temporary data dirs; a private PostgreSQL database next to DATABASE_URL's, dropped after.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and its name would shadow
# the standard `queue` module that multiprocessing and django-q2 import.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from contextlib import ExitStack, contextmanager  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 600
START_TIMEOUT = 90
STOP_TIMEOUT = 25  # serve gives its children 20 s
ADMIN_PASSWORD = "Bench-Queue-9!"  # noqa: S105 - a throw-away data dir's admin password
LISTEN_TIMEOUT = 30  # longest silence a client accepts before giving up


def baseline_task(marker: str) -> None:
    """The raw django-q2 task: one tiny append so completion can be counted."""
    fd = os.open(marker, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, b"x\n")
    finally:
        os.close(fd)


def wait_until(predicate, what: str, timeout: float = TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)


def lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path):
    """A subprocess in its own process group, stopped however the block ends."""
    with log.open("ab") as output:
        child = subprocess.Popen(  # noqa: S603 - our interpreter, our modules
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(child.pid, signal.SIGKILL)  # whatever is left of the group we created
        except ProcessLookupError:
            pass
        child.wait()


def cluster(env: dict[str, str], workers: int, log: Path):
    """The real `qcluster`, with the benchmark's latency kind registered (see latency_kind)."""
    from benchmarks.latency_kind import CLUSTER_CODE

    env = {**env, "NOMARR_WORKERS": str(workers), "NOMARR_SWEEP_SECONDS": "1"}
    return process([sys.executable, "-c", CLUSTER_CODE], env, log)


class Listener(threading.Thread):
    """Collects the latency of each `bench_latency` progress event, keyed (job id, seq)."""

    def __init__(self, port: int, token: str):
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.ready = threading.Event()
        self.stopped = threading.Event()
        self.latencies: dict[tuple[int, int], float] = {}
        self.error: BaseException | None = None

    def record(self, data: dict, received: float) -> None:
        counters = (data.get("progress") or {}).get("counters") or {}
        if data.get("kind") != "bench_latency" or data.get("status") != "running":
            return
        if "seq" in counters:  # the finish event repeats the last counters: keep the first
            key = (data["id"], counters["seq"])
            self.latencies.setdefault(key, received - counters["sent_us"] / 1_000_000)

    def run(self) -> None:
        try:
            self.listen()
        except BaseException as exc:  # reported by the benchmark, not lost in the thread
            if not self.stopped.is_set():
                self.error = exc
        finally:
            self.ready.set()

    def stop(self) -> None:
        self.stopped.set()


class WebSocketListener(Listener):
    name = "websocket"

    def listen(self) -> None:
        from websockets.sync.client import connect

        url = f"ws://127.0.0.1:{self.port}/ws/connect?token={self.token}"
        with connect(url, open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "connected"
            ws.send(json.dumps({"action": "join", "data": {"room": "queue"}}))
            while not self.stopped.is_set():
                try:
                    message = json.loads(ws.recv(timeout=0.5))
                except TimeoutError:
                    continue
                if message["type"] == "room_joined":
                    self.ready.set()
                elif message["type"] == "queue_jobs":
                    self.record(message["data"], time.time())


class SseListener(Listener):
    name = "sse"

    def listen(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=LISTEN_TIMEOUT)
        try:
            self.connection.request("GET", f"/api/web/events/status?token={self.token}")
            response = self.connection.getresponse()
            assert response.status == 200, response.status
            event = None
            while not self.stopped.is_set():
                raw = response.readline()
                received = time.time()
                if not raw:
                    break
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == "system:health":
                    self.ready.set()  # the last frame of the state sent on connect
                elif line.startswith("data: ") and event == "queue:jobs":
                    self.record(json.loads(line[len("data: ") :]), received)
                elif not line:
                    event = None
        finally:
            self.connection.close()

    def stop(self) -> None:
        super().stop()
        try:  # unblock the pending readline
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass


def measure_throughput(count: int, workers: int, label: str) -> None:
    from django.db import transaction
    from django_q.tasks import async_task

    from jobs.models import Job
    from jobs.services.enqueue import enqueue

    marker = Path(os.environ["NOMARR_DATA_DIR"]) / "baseline.txt"
    started = time.perf_counter()
    for _ in range(count):
        async_task("benchmarks.queue.baseline_task", str(marker), save=False)
    wait_until(lambda: lines(marker) >= count, "the baseline tasks")
    raw = count / (time.perf_counter() - started)

    started = time.perf_counter()
    with transaction.atomic():
        for _ in range(count):
            enqueue("noop")
    active = Job.objects.filter(status__in=Job.ACTIVE)
    wait_until(lambda: not active.exists(), "the noop jobs")
    ours = count / (time.perf_counter() - started)
    print(
        f"{label:9}  {count} noop jobs, {workers} workers: queue {ours:8.1f} jobs/s   "
        f"raw async_task {raw:8.1f} tasks/s   ratio {ours / raw:5.2f}",
        flush=True,
    )


def login(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/web/auth/login",
        data=json.dumps({"password": ADMIN_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return json.loads(response.read())["session_token"]


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def measure_latency(jobs: int, events: int, interval: float, label: str) -> None:
    from django.db import transaction

    from benchmarks.latency_kind import KIND
    from jobs.models import Job
    from jobs.services.enqueue import enqueue

    data_dir = Path(os.environ["NOMARR_DATA_DIR"])
    port = free_port()
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--no-workers"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with process(command, dict(os.environ), data_dir / "serve.log") as serve:
        wait_until(lambda: healthy(port) or serve.poll() is not None, "serve", START_TIMEOUT)
        if serve.poll() is not None:
            raise SystemExit(f"serve exited with {serve.returncode}; see {data_dir}/serve.log")
        token = login(port)
        listeners = [WebSocketListener(port, token), SseListener(port, token)]
        for listener in listeners:
            listener.start()
        try:
            for listener in listeners:
                if not listener.ready.wait(LISTEN_TIMEOUT) or listener.error:
                    raise SystemExit(f"{listener.name} client failed: {listener.error!r}")
            with transaction.atomic():
                for _ in range(jobs):
                    enqueue(KIND, payload={"events": events, "interval": interval})
            active = Job.objects.filter(kind=KIND, status__in=Job.ACTIVE)
            wait_until(lambda: not active.exists(), "the latency jobs")
            # Give events still on their way a moment; a lost one shows as a short count.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and any(
                len(lst.latencies) < jobs * events and not lst.error for lst in listeners
            ):
                time.sleep(0.05)
        finally:
            for listener in listeners:
                listener.stop()
            for listener in listeners:
                listener.join(10)
    for listener in listeners:
        values = [1000 * v for v in listener.latencies.values()] or [math.nan]
        print(
            f"{label:9}  latency {listener.name:9}: p50 {percentile(values, 50):6.1f} ms   "
            f"p95 {percentile(values, 95):6.1f} ms   max {max(values):6.1f} ms   "
            f"({len(listener.latencies)}/{jobs * events} events)"
            + (f"  error: {listener.error!r}" if listener.error else ""),
            flush=True,
        )


def child(args: argparse.Namespace) -> None:
    """Child mode: this process's environment selects the set-up."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
    django.setup()
    from django.core.management import call_command
    from django_q.brokers import get_broker

    import benchmarks.latency_kind  # noqa: F401 - the kind's limits, as the cluster sees them
    from jobs.models import WorkerHeartbeat

    call_command("migrate", verbosity=0)
    waiting = get_broker().queue_size() or 0
    if waiting:  # tasks signed by another app would fail in our cluster and skew the numbers
        print(f"warning: {waiting} tasks already wait in the broker; use a spare Redis database")
    data_dir = Path(os.environ["NOMARR_DATA_DIR"])
    with cluster(dict(os.environ), args.workers, data_dir / "cluster.log") as running:
        wait_until(
            lambda: (
                running.poll() is not None
                or WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.CLUSTER).exists()
            ),
            "the cluster to start",
            START_TIMEOUT,
        )
        if running.poll() is not None:
            raise SystemExit(f"qcluster exited; see {data_dir}/cluster.log")
        measure_throughput(args.jobs, args.workers, args.setup)
        if args.latency_jobs:
            measure_latency(args.latency_jobs, args.events, args.interval, args.setup)


@contextmanager
def private_postgres(url: str):
    """A fresh database next to the one `url` names, dropped afterwards."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"bench_queue_{secrets.token_hex(4)}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_setup(setup: str, args: argparse.Namespace, data_dir: Path) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "REDIS_URL", "NOMARR_ENV_FILE", "NOMARR_DATA_DIR")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "nomarr_site.settings",
            "NOMARR_DATA_DIR": str(data_dir),
            "NOMARR_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "NOMARR_LOG_LEVEL": os.environ.get("NOMARR_LOG_LEVEL", "WARNING"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    data_dir.mkdir(parents=True)
    command = [sys.executable, "-m", "benchmarks.queue", "--child", "--setup", setup]
    for option in ("jobs", "workers", "latency_jobs", "events", "interval"):
        command += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    with ExitStack() as stack:
        if setup == "scale-out":
            env["REDIS_URL"] = os.environ["REDIS_URL"]
            if os.environ.get("DATABASE_URL"):
                env["DATABASE_URL"] = stack.enter_context(
                    private_postgres(os.environ["DATABASE_URL"])
                )
        subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000, help="noop jobs (and raw tasks)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-jobs", type=int, default=10, help="0 skips the latency part")
    parser.add_argument("--events", type=int, default=20, help="progress events per latency job")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between events")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup", default="embedded", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.jobs < 1 or args.workers < 1 or args.latency_jobs < 0:
        parser.error("--jobs and --workers must be at least 1, --latency-jobs at least 0")
    if not 1 <= args.events <= 10_000 or not 0 <= args.interval <= 10:
        parser.error("--events must be 1..10000 and --interval 0..10")
    if args.child:
        child(args)
        return
    root = Path(tempfile.mkdtemp(prefix="nomarr-bench-queue-"))
    try:
        setups = ["embedded"] + (["scale-out"] if os.environ.get("REDIS_URL") else [])
        for setup in setups:
            run_setup(setup, args, root / setup)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
