"""`nom list [--status S] [--limit N]`: show jobs, active ones first."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jobs.models import Job
from jobs.services.listing import list_jobs

MAX_LIMIT = 10_000


class Command(BaseCommand):
    help = "List queue jobs (running, then pending in claim order, then newest finished)."

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=Job.Status.values, help="only this status")
        parser.add_argument("--limit", type=int, default=50, help="at most this many (50)")

    def handle(self, *args, **options):
        limit = options["limit"]
        if not 1 <= limit <= MAX_LIMIT:
            raise CommandError(f"--limit must be between 1 and {MAX_LIMIT}, got {limit}")
        jobs = list_jobs(status=options["status"])
        total = jobs.count()
        self.stdout.write(f"{'ID':>7}  {'STATUS':<9}  {'KIND':<12}  {'PRIO':<6}  {'PROG':>5}  PATH")
        for job in jobs[:limit]:
            fraction = job.progress_fraction
            progress = f"{fraction * 100:.0f}%" if fraction is not None else "-"
            line = (
                f"{job.pk:>7}  {job.status:<9}  {job.kind:<12}  "
                f"{Job.Priority(job.priority).label:<6}  {progress:>5}  {job.path}"
            )
            if job.error_message and job.status == Job.Status.ERROR:
                line += f"  ! {job.error_message[:120]}"
            self.stdout.write(line)
        self.stdout.write(f"{min(limit, total)} of {total} job(s) shown")
