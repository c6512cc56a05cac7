"""`nom show-tags FILE`: print one file's common tags and Nomarr's namespace tags."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from library.scanning.track_fields import readable_path
from library.tagfiles.errors import TagFileError
from library.tagfiles.reader import read_tags
from nomarr_site import config


class Command(BaseCommand):
    help = "Show a file's tags (common fields and Nomarr's namespace)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        namespace = config.get("namespace")
        try:
            tags = read_tags(options["file"], namespace)
        except TagFileError as exc:
            raise CommandError(str(exc)) from None
        except FileNotFoundError:
            raise CommandError(f"File not found: {readable_path(options['file'])}") from None
        # A name that is not valid UTF-8 is printed with \xNN escapes, not as an encoding error.
        self.stdout.write(
            f"{readable_path(tags.path)}  ({tags.format}, {tags.codec}, {tags.duration:.1f} s)"
        )
        for label, value in (
            ("artist", tags.artist),
            ("album", tags.album),
            ("title", tags.title),
            ("track", tags.track_number),
            ("year", tags.year),
            ("genre", ", ".join(tags.genres)),
        ):
            if value:
                self.stdout.write(f"  {label}: {value}")
        if not tags.namespace:
            self.stdout.write(f"  (no {namespace}: tags)")
        for key in sorted(tags.namespace):
            self.stdout.write(f"  {key} = {'; '.join(tags.namespace[key])}")
