"""Fixtures for the queue tests: synchronous execution and test-only job kinds."""

from __future__ import annotations

import pytest

from jobs import registry
from jobs.registry import register
from jobs.runner import JobRunner, RetryableError


class FlakyRunner(JobRunner):
    """Fails with a retryable error until the attempt given in the payload."""

    def run(self):
        if self.job.attempts < self.payload.get("succeed_on", 99):
            raise RetryableError(f"flaky attempt {self.job.attempts}")
        return {"attempt": self.job.attempts}


class SelfCancellingRunner(JobRunner):
    """Asks for its own cancellation mid-run, as a user would, then checks between items."""

    def run(self):
        from jobs.services import manage

        self.progress(0.5, "half way", force=True, done=1, total=2)
        manage.cancel([self.job.pk])
        self.check_cancelled()
        return {"unreachable": True}


@pytest.fixture
def test_kinds():
    register("flaky", max_attempts=3)(FlakyRunner)
    register("cancelling")(SelfCancellingRunner)
    yield
    registry.unregister("flaky")
    registry.unregister("cancelling")


@pytest.fixture
def run_queue(db):
    """Run claimable jobs in this process, as a worker's token would; returns how many ran."""
    from jobs.transport import work_one

    return work_one
