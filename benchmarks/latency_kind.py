"""The benchmark-only job kind `bench_latency`: progress events stamped with their send time.

Imported by the benchmark's own process and by the `qcluster` it starts (see `CLUSTER_CODE`),
never by the app, so the kind exists only while `benchmarks.queue` runs.
"""

from __future__ import annotations

import time

from jobs.registry import register
from jobs.runner import JobRunner

KIND = "bench_latency"
MAX_EVENTS = 10_000
MAX_INTERVAL_SECONDS = 10.0

# Run as the cluster's main module: set argv first so `jobs` sees a `qcluster` process (and
# starts its sweep), register the kind after Django is set up, then run django-q2's command.
# Workers are forked from this process, so they inherit the registration.
CLUSTER_CODE = (
    "import os, sys; sys.argv = ['nom', 'qcluster']; "
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'nomarr_site.settings'); "
    "import django; django.setup(); import benchmarks.latency_kind; "
    "from django.core.management import call_command; call_command('qcluster')"
)


@register(KIND, concurrency=64, max_attempts=1)
class LatencyRunner(JobRunner):
    """Sends `events` forced progress updates `interval` seconds apart.

    Each update carries the counters `seq` (1-based) and `sent_us` (`time.time()` in
    microseconds just before the progress call), so a client can compute the delivery latency.
    """

    def run(self) -> dict | None:
        events = int(self.payload.get("events", 10))
        interval = float(self.payload.get("interval", 0.1))
        if not 1 <= events <= MAX_EVENTS or not 0 <= interval <= MAX_INTERVAL_SECONDS:
            raise ValueError(f"events must be 1..{MAX_EVENTS}, interval 0..{MAX_INTERVAL_SECONDS}")
        for seq in range(1, events + 1):
            sent_us = int(time.time() * 1_000_000)
            self.progress(seq / events, "latency probe", force=True, seq=seq, sent_us=sent_us)
            time.sleep(interval)
        return {"events": events}
