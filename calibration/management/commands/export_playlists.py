"""`nom export-playlists DIR` writes Nomarr's default Navidrome smart playlists into DIR."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from calibration.navidrome.export import export_playlists
from nomarr_site.domain import DomainError


class Command(BaseCommand):
    help = "Write smart playlists (.nsp) per mood and tier, and a few combinations, into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, **options):
        try:
            report = export_playlists(options["directory"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for path in report.written:
            self.stdout.write(f"wrote {path}")
        for path in report.refused:
            self.stderr.write(f"kept {path}: not written by Nomarr")
        self.stdout.write(f"{len(report.written)} playlists written")
