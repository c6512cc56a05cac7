"""End-to-end: a real `qcluster` of 2 workers runs jobs from the test database.

The cluster is a separate process tree (main, sentinel, workers) started in its own session so
teardown can always kill all of it; it uses the test database (a file for SQLite).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest
from django.db import connection, transaction

from jobs.models import Job, WorkerHeartbeat
from jobs.services import control
from jobs.services.enqueue import enqueue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def wait_for(predicate, what: str, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class ClusterProcess:
    def __init__(self, tmp_path: Path):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "NOMARR_WORKERS": "2",
            "NOMARR_SWEEP_SECONDS": "1",
            "NOMARR_JOB_STALE_SECONDS": "3",
            "NOMARR_RETRY_BASE_SECONDS": "0",
            "DJANGO_SETTINGS_MODULE": "nomarr_site.settings",
        }
        self.log_path = tmp_path / "cluster.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter, our module
            [sys.executable, "-m", "nomarr_site.cli", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        def ready():
            if self.process.poll() is not None:
                log = self.log_path.read_text(errors="replace")[-3000:]
                raise AssertionError(f"qcluster exited early:\n{log}")
            return WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.CLUSTER).exists()

        wait_for(ready, "the cluster heartbeat")

    def worker_pids(self) -> set[int]:
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return set()
        return {child.pid for child in children}

    def state(self) -> str:
        """Its processes' states and the end of its log, for a failure message."""
        try:
            processes = [psutil.Process(self.process.pid)]
            processes += processes[0].children(recursive=True)
            states = [f"{p.pid} {p.name()} {p.status()}" for p in processes]
        except psutil.Error as exc:
            states = [f"processes unreadable: {exc}"]
        self.log.flush()
        log = self.log_path.read_text(errors="replace")[-4000:]
        return "\n".join([*states, "--- cluster log (end) ---", log])

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def cluster(transactional_db, tmp_path):
    process = ClusterProcess(tmp_path)
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def enqueue_sleeps(count: int, marker_dir: Path, **payload) -> list[Job]:
    with transaction.atomic():
        return [
            enqueue("sleep", payload={"seconds": 0, "marker_dir": str(marker_dir), **payload})
            for _ in range(count)
        ]


def unfinished() -> int:
    return Job.objects.filter(status__in=Job.ACTIVE).count()


def executions(marker_dir: Path) -> Counter:
    lines = (marker_dir / "ran.txt").read_text().splitlines()
    return Counter(int(line.split()[0]) for line in lines)


def test_a_thousand_jobs_each_run_exactly_once_high_priority_first(cluster, tmp_path):
    markers = tmp_path / "markers"
    with transaction.atomic():
        low = [
            enqueue("sleep", payload={"seconds": 0, "marker_dir": str(markers)}, priority="LOW")
            for _ in range(500)
        ]
        high = [
            enqueue("sleep", payload={"seconds": 0, "marker_dir": str(markers)}, priority="HIGH")
            for _ in range(500)
        ]
    wait_for(lambda: unfinished() == 0, "1000 jobs to finish", seconds=150)

    assert Job.objects.filter(status=Job.Status.DONE).count() == 1000
    ran = executions(markers)
    assert set(ran) == {job.pk for job in low + high}
    assert set(ran.values()) == {1}
    # Claims are serialised, so start times give the claim order.
    last_high = Job.objects.filter(priority=Job.Priority.HIGH).latest("started_at").started_at
    first_low = Job.objects.filter(priority=Job.Priority.LOW).earliest("started_at").started_at
    assert last_high <= first_low


def test_pause_holds_new_jobs_until_resume(cluster, tmp_path):
    markers = tmp_path / "markers"
    control.pause()
    jobs = enqueue_sleeps(20, markers)
    time.sleep(2.5)  # two sweep cycles: a paused queue must not start anything
    assert Job.objects.filter(status=Job.Status.PENDING).count() == 20
    assert not (markers / "ran.txt").exists()

    control.resume()
    wait_for(lambda: unfinished() == 0, "the held jobs to run after resume")
    assert set(executions(markers)) == {job.pk for job in jobs}


def test_a_worker_killed_mid_job_is_detected_and_the_job_retried(cluster, tmp_path):
    markers = tmp_path / "markers"
    job = enqueue("sleep", payload={"seconds": 2, "marker_dir": str(markers)})

    def running_worker_pid():
        job.refresh_from_db()
        if job.status != Job.Status.RUNNING or not job.worker_id:
            return None
        return int(job.worker_id.rsplit(":", 1)[1])

    pid = wait_for(running_worker_pid, "the job to start")
    wait_for(lambda: (markers / "ran.txt").exists(), "the job to be mid-way")
    assert pid in cluster.worker_pids()
    os.kill(pid, signal.SIGKILL)

    def finished():
        job.refresh_from_db()
        return job.status in Job.TERMINAL

    wait_for(finished, "the orphaned job to be retried and finish")
    assert job.status == Job.Status.DONE
    assert job.attempts == 2
    assert executions(markers)[job.pk] == 2  # started once, killed, ran again to the end


def test_a_failing_job_ends_in_error_while_the_others_complete(cluster, tmp_path):
    markers = tmp_path / "markers"
    good = enqueue_sleeps(10, markers)
    bad = enqueue("sleep", payload={"seconds": 0, "fail": True, "message": "cannot decode"})
    wait_for(lambda: unfinished() == 0, "the jobs to finish")
    bad.refresh_from_db()
    assert bad.status == Job.Status.ERROR
    assert bad.error_message == (
        "Nomarr hit an unexpected problem: cannot decode. The server log has the details."
    )
    assert Job.objects.filter(pk__in=[j.pk for j in good], status=Job.Status.DONE).count() == 10


def test_a_restart_request_stops_the_cluster_cleanly_for_its_supervisor(cluster):
    control.request_restart()
    try:
        code = cluster.process.wait(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        # Once seen in a full CI run, never alone: say where it stood.
        pytest.fail(f"the cluster did not stop in {WAIT_SECONDS} s\n{cluster.state()}")
    assert code == 0
    assert not WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.CLUSTER).exists()


def stopped_within(cluster: ClusterProcess, what: str) -> int:
    try:
        return cluster.process.wait(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the cluster did not stop in {WAIT_SECONDS} s after {what}\n{cluster.state()}")


def test_sigterm_to_the_whole_process_group_stops_the_cluster(cluster):
    """systemd's default KillMode signals every process of the service at once; the sentinel
    then dies while it waits on the stop event, and django-q2's own handler, which sets that
    event, waited forever for it to wake."""
    time.sleep(2)  # the sentinel is in its guard loop, waiting on the stop event
    os.killpg(cluster.process.pid, signal.SIGTERM)
    assert stopped_within(cluster, "SIGTERM to its process group") == 0


def test_sigterm_to_the_main_process_lets_running_jobs_finish_and_claims_no_more(cluster, tmp_path):
    """systemd's KillMode=mixed, or a restart request: the jobs running then finish, the queue
    behind them stays pending for the next cluster (the workers' tokens used to keep claiming
    for up to a minute, until the backlog or their budget ran out)."""
    jobs = enqueue_sleeps(40, tmp_path / "markers", seconds=1)
    wait_for(lambda: Job.objects.filter(status=Job.Status.RUNNING).count() == 2, "two running jobs")
    running = set(Job.objects.filter(status=Job.Status.RUNNING).values_list("pk", flat=True))
    started = time.monotonic()
    os.kill(cluster.process.pid, signal.SIGTERM)
    assert stopped_within(cluster, "SIGTERM to its main process") == 0
    assert time.monotonic() - started < 10
    done = set(Job.objects.filter(status=Job.Status.DONE).values_list("pk", flat=True))
    assert running <= done
    assert len(done) <= len(running) + 2  # a claim racing the signal
    assert Job.objects.filter(status=Job.Status.PENDING).count() == len(jobs) - len(done)


def test_jobs_stopped_by_sigterm_to_the_group_go_back_to_the_queue_at_once(cluster, tmp_path):
    """The workers die mid-job; the cluster returns their jobs and forgets its heartbeat as
    it exits, instead of leaving them running (and counted against their kind's limit) and
    itself listed as alive until other clusters' sweeps notice."""
    jobs = enqueue_sleeps(2, tmp_path / "markers", seconds=60)
    wait_for(lambda: Job.objects.filter(status=Job.Status.RUNNING).count() == 2, "two running jobs")
    os.killpg(cluster.process.pid, signal.SIGTERM)
    assert stopped_within(cluster, "SIGTERM to its process group") == 0
    for job in jobs:
        job.refresh_from_db()
        # The job did not fail: the stop does not spend one of its attempts.
        assert (job.status, job.attempts, job.worker_id) == (Job.Status.PENDING, 0, "")
        assert job.error_message == "Interrupted when its workers were stopped; requeued."
    assert not WorkerHeartbeat.objects.exists()


def test_sigterm_while_the_cluster_starts_stops_it(tmp_path, transactional_db):
    """A signal during start-up, before the sentinel has said it runs, stops the cluster
    once it has started instead of deadlocking on the start event."""
    cluster = ClusterProcess(tmp_path)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not cluster.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.01)  # the sentinel is forked: start-up is under way
        os.kill(cluster.process.pid, signal.SIGTERM)
        assert stopped_within(cluster, "SIGTERM during start-up") == 0
    finally:
        cluster.stop()


def test_a_sentinel_that_dies_on_its_own_ends_the_cluster_with_status_1(cluster):
    """Its supervisor (systemd, `nom serve`) sees a failure and starts it again."""
    sentinel = psutil.Process(cluster.process.pid).children()[0]
    sentinel.kill()
    assert stopped_within(cluster, "its sentinel was killed") == 1
    cluster.log.flush()
    assert "sentinel exited unexpectedly" in cluster.log_path.read_text(errors="replace")
