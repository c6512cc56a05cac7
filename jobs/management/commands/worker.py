"""`nom worker pause|resume|status`: control the workers from the command line."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jobs.services import control, workers


class Command(BaseCommand):
    help = "Pause or resume the workers (running jobs finish), or show their state."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["pause", "resume", "status"])

    def handle(self, *args, **options):
        action = options["action"]
        if action == "pause":
            control.pause()
            self.stdout.write("All workers paused (running jobs finish).")
        elif action == "resume":
            control.resume()
            self.stdout.write("All workers resumed.")
        else:
            summary = workers.cluster_summary()
            state = "paused" if summary.get("paused") else "running"
            alive = "alive" if summary["alive"] else "not running"
            self.stdout.write(f"Workers {alive}; queue {state}; clusters: {summary['clusters']}")
