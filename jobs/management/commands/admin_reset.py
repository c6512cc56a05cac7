"""`nom admin-reset --stuck`: return running jobs whose worker stopped beating to pending."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jobs import conf
from jobs.services import sweep


class Command(BaseCommand):
    help = "Reset stuck jobs: running jobs without a recent heartbeat go back to pending."

    def add_arguments(self, parser):
        parser.add_argument("--stuck", action="store_true", help="reset stuck running jobs")
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help=f"seconds without heartbeat (default {conf.stale_seconds()})",
        )

    def handle(self, *args, **options):
        if not options["stuck"]:
            raise CommandError("Nothing to do: pass --stuck")
        older = options["older_than"]
        if older is not None and older < 0:
            raise CommandError("--older-than must not be negative")
        result = sweep.requeue_stuck(older)
        self.stdout.write(
            f"Requeued {result['requeued']} stuck job(s); "
            f"{result['failed']} had no attempts left and are now errors."
        )
        if result["requeued"]:
            sweep.top_up_tokens()
