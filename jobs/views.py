"""Pages of `jobs`: the queue page (data arrives from the queue API and the event stream)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jobs.models import Job
from jobs.services import stats


@login_required
def queue_page(request):
    return render(
        request,
        "jobs/queue.html",
        {
            "active": "queue",
            "counts": stats.counts(),
            "statuses": Job.Status.choices,
        },
    )
