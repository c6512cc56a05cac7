"""`nom cleanup --hours 168 [--kind K]`: delete finished jobs older than the given age (the
jobs of kinds that keep their own history, downloads, only with `--kind`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jobs.services import manage
from jobs.services.manage import DEFAULT_CLEANUP_HOURS, MAX_CLEANUP_HOURS


class Command(BaseCommand):
    help = "Remove done, failed and cancelled jobs that finished more than --hours ago."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=DEFAULT_CLEANUP_HOURS)
        parser.add_argument("--kind", help="only jobs of this kind (download jobs need it)")

    def handle(self, *args, **options):
        hours = options["hours"]
        if not 0 <= hours <= MAX_CLEANUP_HOURS:
            raise CommandError(f"--hours must be between 0 and {MAX_CLEANUP_HOURS}, got {hours}")
        removed = manage.cleanup(hours, options["kind"])
        self.stdout.write(f"Removed {removed} finished job(s) older than {hours} hour(s).")
