"""Job kind `expire_users`: disables or deletes the media-server accounts whose expiry passed
(`invitations.services.users.expire_users`).

`queue_expire_users` is the one way to queue it: an empty payload, dedup key `expire_users`
(one pending run at a time), no subject (it is about every account). The cluster's sweep calls
`start_if_due` every `CHECK_SECONDS` (jobs.hooks periodic work), which queues a run only when
an account is due, so the queue history is not filled with empty runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from invitations.models import MediaUser
from invitations.services.users import expire_users
from jobs.hooks import register_periodic
from jobs.models import Job
from jobs.registry import register
from jobs.runner import JobFailed, JobRunner
from jobs.services.enqueue import enqueue

CHECK_SECONDS = 15 * 60


class ExpireUsersPayload(TypedDict):
    """No parameters: every account due at the time the job runs."""


def expire_dedup_key(payload: Mapping[str, Any]) -> str:
    return "expire_users"


def queue_expire_users() -> Job:
    payload: ExpireUsersPayload = {}
    return enqueue("expire_users", payload=payload)


def start_if_due() -> Job | None:
    if not MediaUser.objects.due().exists():
        return None
    return queue_expire_users()


@register(
    "expire_users",
    concurrency=1,
    max_attempts=1,
    payload=ExpireUsersPayload,
    dedup_key=expire_dedup_key,
    subject=lambda payload: None,
)
class ExpireUsersRunner(JobRunner):
    """Handles every due account; fails (after all were tried) naming those that failed."""

    def run(self) -> dict:
        summary = expire_users()
        result = {"disabled": summary.disabled, "deleted": summary.deleted}
        if summary.failures:
            shown = "; ".join(summary.failures[:5])
            raise JobFailed(
                f"{len(summary.failures)} expired account(s) could not be handled: {shown}"
            )
        return result


register_periodic("expire_users", CHECK_SECONDS, start_if_due)
