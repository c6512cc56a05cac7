"""CPU accounting for benchmarks: CPU-seconds of a process tree (sampled, so workers that exit
still count up to their last sample) and the machine's average busy cores over a span."""

from __future__ import annotations

import time

import psutil


class TreeMeter:
    """CPU-seconds used by a process and all its descendants between `start()` and `stop()`."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.first: dict[tuple[int, float], float] = {}
        self.last: dict[tuple[int, float], float] = {}
        self.peak_rss = 0
        self._started = False
        self.system_start = psutil.cpu_times()
        self.wall_start = time.perf_counter()

    def _processes(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return []

    def sample(self) -> None:
        rss = 0
        for process in self._processes():
            try:
                with process.oneshot():
                    key = (process.pid, process.create_time())
                    times = process.cpu_times()
                    rss += process.memory_info().rss
            except psutil.Error:
                continue
            used = times.user + times.system
            self.last[key] = used
            # A process born after start() counts from zero.
            self.first.setdefault(key, used if not self._started else 0.0)
        self.peak_rss = max(self.peak_rss, rss)

    def start(self) -> None:
        self.first.clear()
        self.last.clear()
        self._started = False
        self.sample()
        self._started = True
        self.system_start = psutil.cpu_times()
        self.wall_start = time.perf_counter()

    def stop(self) -> tuple[float, float, float]:
        """(wall seconds, tree CPU-seconds, machine busy cores on average)."""
        self.sample()
        wall = time.perf_counter() - self.wall_start
        system = psutil.cpu_times()
        tree = sum(self.last[key] - self.first.get(key, 0.0) for key in self.last)
        return wall, tree, busy_seconds(self.system_start, system) / wall


def busy_seconds(before, after) -> float:
    """Non-idle CPU-seconds of the whole machine between two `psutil.cpu_times()` readings."""
    # Linux counts guest time inside user time already.
    fields = [f for f in after._fields if f not in ("guest", "guest_nice")]
    total = sum(getattr(after, f) - getattr(before, f) for f in fields)
    # Idle, waiting for disk, or stolen by the hypervisor: not work done on this machine.
    idle = sum(
        getattr(after, f, 0.0) - getattr(before, f, 0.0) for f in ("idle", "iowait", "steal")
    )
    return total - idle
