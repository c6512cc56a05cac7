"""The one table from a download item's job to the item's status (the reference's
`pending, downloading, paused, completed, failed, cancelled`).

| job                          | download queue        | item status    |
|------------------------------|-----------------------|----------------|
| none yet (being queued)      | running               | `pending`      |
| none yet (being queued)      | stopped or paused     | `paused`       |
| `pending` (also in back-off) | running               | `pending`      |
| `pending` (also in back-off) | stopped or paused     | `paused`       |
| `running`                    | any                   | `downloading`  |
| `done`                       | any                   | `completed`    |
| `error`                      | any                   | `failed`       |
| `cancelled`                  | any                   | `cancelled`    |

"Stopped or paused" is `queue_state.QueueState.is_paused`: the download queue was stopped
(`POST /api/queue/stop` or `/pause`) or every worker is paused (`/api/web/worker/pause`). A
running download is `downloading` until its job ends, even after a stop (it finishes).
"""

from __future__ import annotations

from jobs.models import Job

PENDING = "pending"
DOWNLOADING = "downloading"
PAUSED = "paused"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"
STATUSES = (PENDING, DOWNLOADING, PAUSED, COMPLETED, FAILED, CANCELLED)

BY_JOB_STATUS = {
    Job.Status.RUNNING: DOWNLOADING,
    Job.Status.DONE: COMPLETED,
    Job.Status.ERROR: FAILED,
    Job.Status.CANCELLED: CANCELLED,
}

# The job statuses behind each item status (the waiting ones share `pending`).
JOB_STATUSES = {
    PENDING: (Job.Status.PENDING,),
    PAUSED: (Job.Status.PENDING,),
    DOWNLOADING: (Job.Status.RUNNING,),
    COMPLETED: (Job.Status.DONE,),
    FAILED: (Job.Status.ERROR,),
    CANCELLED: (Job.Status.CANCELLED,),
}


def item_status(job_status: str | None, queue_paused: bool) -> str:
    """The item status for its job's status (None: no job yet) and the queue's state."""
    if job_status is None or job_status == Job.Status.PENDING:
        return PAUSED if queue_paused else PENDING
    return BY_JOB_STATUS[Job.Status(job_status)]
