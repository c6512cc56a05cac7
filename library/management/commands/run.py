"""`nom run PATH... [--recursive] [--force] [--queue]`: tag files now, in this process, with a
progress line per file; or, with --queue, hand them to the workers."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from library.paths import PathRefused, resolve_inside_roots
from library.scanning.track_fields import UNSTORABLE_NAME_REASON, is_storable, readable_path
from library.scanning.walk import AudioWalk
from library.tagfiles.errors import TagFileError
from library.tagging.requests import queue_paths
from library.tagging.steps import DecodeError, InferenceError
from library.tagging.tag_file import NoUsableModels, ensure_track, load_suite, tag_track


class Command(BaseCommand):
    help = "Tag audio files (inside a library) now, or queue them with --queue."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders inside a library root")
        parser.add_argument("--recursive", action="store_true", help="descend into sub-folders")
        parser.add_argument("--force", action="store_true", help="re-tag up-to-date files")
        parser.add_argument("--queue", action="store_true", help="queue for the workers instead")

    def handle(self, *args, **options):
        if options["queue"]:
            self._queue(options)
            return
        try:
            suite = load_suite()
        except NoUsableModels as exc:
            raise CommandError(str(exc)) from None
        files = list(self._files(options["paths"], options["recursive"]))
        failures = 0
        for number, (path, library) in enumerate(files, start=1):
            failures += not self._tag_one(number, len(files), path, library, suite, options)
        self.stdout.write(f"{len(files) - failures} of {len(files)} files done, {failures} failed")
        if failures:
            raise CommandError(f"{failures} file(s) failed")

    def _queue(self, options) -> None:
        paths = [p for p in options["paths"] if self._storable(p, "refused")]
        report = queue_paths(paths, force=options["force"], recursive=options["recursive"])
        for refusal in report.refused:
            self.stderr.write(f"refused {readable_path(refusal['path'])}: {refusal['reason']}")
        self.stdout.write(report.message() + ": " + ", ".join(str(j.pk) for j in report.jobs))

    def _storable(self, path: str, verb: str) -> bool:
        """A name that is not valid UTF-8 cannot be stored (nor printed as is): say so, skip it."""
        if is_storable(path):
            return True
        self.stderr.write(f"{verb} {readable_path(path)}: {UNSTORABLE_NAME_REASON}")
        return False

    def _files(self, paths, recursive):
        for raw in paths:
            try:
                resolved, library = resolve_inside_roots(os.path.abspath(raw))
            except PathRefused as exc:
                raise CommandError(str(exc)) from None
            walk = AudioWalk(library.root_path, recursive)
            for found in walk.files(str(resolved), with_stat=False):
                yield found.path, library

    def _tag_one(self, number, total, path, library, suite, options) -> bool:
        started = time.monotonic()
        prefix = f"[{number}/{total}]"
        if not self._storable(path, f"{prefix} FAILED"):
            return False
        try:
            track = ensure_track(path, library)
            outcome = tag_track(track, force=options["force"], suite=suite)
        except (TagFileError, DecodeError, InferenceError, FileNotFoundError) as exc:
            self.stderr.write(f"{prefix} FAILED {readable_path(path)}: {exc}")
            return False
        seconds = time.monotonic() - started
        self.stdout.write(f"{prefix} {outcome.status} {readable_path(path)} ({seconds:.1f} s)")
        return True
