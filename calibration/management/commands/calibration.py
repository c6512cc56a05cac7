"""`nom calibration generate [--save-sidecars] [--queue]` builds a calibration from stored
scores; `apply` queues the re-tagging of every tagged track; `status` shows the calibration
queue and the runs; `export DIR` writes the sidecars in effect; `import FILE...` adopts
sidecars made elsewhere (each validated first)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from calibration import recalibrate_job, sidecars
from calibration.build import build
from calibration.calibrate_job import queue_calibrate
from calibration.current import effective_version
from calibration.models import Calibration
from nomarr_site.domain import DomainError

RUNS_SHOWN = 5


class Command(BaseCommand):
    help = "Generate, apply, show, export or import calibrations."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        generate = actions.add_parser("generate", help="Build a calibration from stored scores.")
        generate.add_argument(
            "--save-sidecars", action="store_true", help="Write sidecars beside each head."
        )
        generate.add_argument(
            "--queue", action="store_true", help="Queue a calibrate job instead of waiting."
        )
        actions.add_parser("apply", help="Queue the re-tagging of every tagged track.")
        actions.add_parser("status", help="Show the calibration queue and the latest runs.")
        export = actions.add_parser("export", help="Write the sidecars in effect into DIR.")
        export.add_argument("directory")
        adopt = actions.add_parser("import", help="Adopt sidecar files made elsewhere.")
        adopt.add_argument("files", nargs="+")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "generate":
                self.generate(options["save_sidecars"], options["queue"])
            elif action == "apply":
                queued, job = recalibrate_job.apply()
                self.stdout.write(f"Queued {queued} files for recalibration (job {job.pk})")
            elif action == "status":
                self.status()
            elif action == "export":
                for path in sidecars.export(options["directory"]):
                    self.stdout.write(path)
            else:
                run = sidecars.import_sidecars(options["files"])
                self.stdout.write(f"Imported calibration {run.version} ({run.heads} heads)")
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def generate(self, save: bool, queue: bool) -> None:
        if queue:
            self.stdout.write(f"Queued calibration job {queue_calibrate(save).pk}")
            return
        run = build()
        self.stdout.write(
            f"Calibration {run.version}: {run.heads} heads from {run.track_count} tracks, "
            f"{run.changed_heads} changed"
        )
        for path in sidecars.save_sidecars(run) if save else []:
            self.stdout.write(f"saved {path}")

    def status(self) -> None:
        queue = recalibrate_job.status()
        self.stdout.write(
            "queue: {pending} pending, {running} running, {completed} completed, "
            "{errors} errors".format(**queue)
        )
        version = effective_version()
        self.stdout.write(f"in effect: cal={version if version is not None else 'none'}")
        for run in Calibration.objects.order_by("-version")[:RUNS_SHOWN]:
            self.stdout.write(
                f"v{run.version} {run.created_at:%Y-%m-%d %H:%M} {run.track_count} tracks, "
                f"{run.heads} heads, {run.changed_heads} changed"
            )
