"""`nom remove <id>... | --all | --status S [--kind K]`: delete jobs; running jobs are never
removed, and `--all`/`--status` keep the jobs of kinds that keep their own history (downloads)
unless `--kind` names that kind."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from jobs.models import Job
from jobs.services import manage


class Command(BaseCommand):
    help = "Remove jobs by id, by status, or all of them (running jobs are always kept)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="job ids")
        parser.add_argument("--all", action="store_true", help="every job that is not running")
        parser.add_argument(
            "--status",
            choices=[s for s in Job.Status.values if s != Job.Status.RUNNING],
            help="every job of this status",
        )
        parser.add_argument(
            "--kind",
            help="only jobs of this kind (needed to remove download jobs with --all/--status)",
        )
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        ids, remove_all, status = options["ids"], options["all"], options["status"]
        if sum(bool(x) for x in (ids, remove_all, status)) != 1:
            raise CommandError("Give job ids, or --all, or --status STATUS (exactly one)")
        if remove_all and not options["yes"] and not self._confirmed():
            self.stdout.write("Nothing removed.")
            return
        if ids:
            missing = sorted(
                set(ids) - set(Job.objects.filter(pk__in=ids).values_list("pk", flat=True))
            )
            if missing:
                self.stderr.write(f"Not found: {', '.join(map(str, missing))}")
        result = manage.remove(ids=ids or None, status=status, kind=options["kind"])
        self.stdout.write(f"Removed {result['removed']} job(s).")
        if result["skipped_running"]:
            self.stdout.write(f"Kept {result['skipped_running']} running job(s).")

    def _confirmed(self) -> bool:
        """Ask on the terminal; without one (cron, a pipe) there is nobody to ask."""
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError("--all removes every job: add --yes to confirm (no terminal to ask)")
        try:
            answer = input("Remove every job that is not running? [y/N] ")
        except EOFError:  # Ctrl-D: no
            answer = ""
        return answer.strip().lower() in ("y", "yes")
