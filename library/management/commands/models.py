"""`nom models list` shows the discovered Essentia models and their problems;
`nom models fetch [--set default] [--dir DIR]` downloads a named set from Essentia's site;
`nom models verify [--dir DIR]` reports files whose bytes changed since they were fetched."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from library.checks import models_dir
from library.tagging import engine_settings
from library.tagging.fetch import (
    MANIFEST,
    FetchError,
    FetchReport,
    FileProblem,
    fetch_set,
    verify_folder,
)
from library.tagging.model_sets import BASE_URL, MODEL_SETS, pinned_checksums
from library.tagging.model_suite import ModelSuite, discover


class ProgressBar:
    """A one-line progress bar on stderr, redrawn in place."""

    def __init__(self, stream, width: int = 30) -> None:
        self.stream, self.width, self.current = stream, width, ""

    def __call__(self, name: str, done: int, total: int | None) -> None:
        if total:
            filled = int(self.width * done / total)
            bar = "#" * filled + "." * (self.width - filled)
            line = (
                f"\r{name} [{bar}] {100 * done // total:3d}% {done / 1e6:.1f}/{total / 1e6:.1f} MB"
            )
        else:
            line = f"\r{name} {done / 1e6:.1f} MB"
        self.stream.write(line, ending="")
        self.stream.flush()
        self.current = name

    def finish(self) -> None:
        if self.current:
            self.stream.write("")
            self.current = ""


class Command(BaseCommand):
    help = "List the Essentia models Nomarr found, download a model set, or verify it."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="Show embeddings, heads and problems.")
        listing.add_argument("--dir", help="Models folder (default: the models_dir setting).")
        fetch = actions.add_parser("fetch", help="Download a model set from essentia.upf.edu.")
        fetch.add_argument("--set", dest="model_set", default="default", choices=MODEL_SETS)
        fetch.add_argument("--dir", help="Models folder (default: the models_dir setting).")
        fetch.add_argument("--base-url", default=BASE_URL, help="Mirror of Essentia's models.")
        verify = actions.add_parser(
            "verify", help="Check that fetched files still have the checksums they had."
        )
        verify.add_argument("--dir", help="Models folder (default: the models_dir setting).")

    def handle(self, *args, **options):
        directory = options.get("dir") or models_dir()
        if options["action"] == "list":
            self.show(discover(directory))
        elif options["action"] == "fetch":
            self.fetch(directory, options["model_set"], options["base_url"])
        else:
            self.verify(directory)

    def fetch(self, directory: str, model_set: str, base_url: str) -> None:
        bar, report = ProgressBar(self.stderr), FetchReport()
        try:
            fetch_set(MODEL_SETS[model_set], directory, base_url, bar, report=report)
        except FetchError as exc:
            bar.finish()
            for problem in report.changed:  # found before the failure; still worth knowing
                self.stderr.write(problem.message)
            raise CommandError(str(exc)) from None
        bar.finish()
        self.stdout.write(
            f"{len(report.downloaded)} downloaded, {len(report.present)} already present "
            f"in {directory}"
        )
        suite = discover(directory)
        self.stdout.write(f"{len(suite.heads)} usable heads, {len(suite.problems)} problems")
        self.fail_on(report.changed)

    def verify(self, directory: str) -> None:
        try:
            report = verify_folder(directory, pinned_checksums())
        except FetchError as exc:
            raise CommandError(str(exc)) from None
        total = len(report.intact) + len(report.problems)
        if not total:
            self.stdout.write(
                f"Nothing to verify in {directory}: no file is recorded in its {MANIFEST} "
                "(`nom models fetch` records the files it downloads)."
            )
            return
        self.stdout.write(
            f"{len(report.intact)} of {total} files unchanged since they were fetched "
            f"in {directory}"
        )
        self.fail_on(report.problems)

    def fail_on(self, problems: list[FileProblem]) -> None:
        """Explain each problem, then exit non-zero naming the files."""
        if not problems:
            return
        for problem in problems:
            self.stderr.write(problem.message)
        names = ", ".join(problem.path for problem in problems)
        raise CommandError(f"{len(problems)} model file(s) failed verification: {names}")

    def show(self, suite: ModelSuite) -> None:
        self.stdout.write(f"Models folder: {suite.directory}")
        for embedding in suite.embeddings:
            self.stdout.write(
                f"{embedding.name:<34} {embedding.meta.algorithm:<32} "
                f"{len(embedding.heads)} heads  sha256 {embedding.file.sha256[:12]}"
            )
            for head in embedding.heads:
                classes = ", ".join(head.classes) if head.classes is not None else "(regression)"
                if len(classes) > 40:
                    classes = f"{len(head.classes or ())} classes"
                self.stdout.write(f"  {head.name:<32} {classes:<42} ok")
        if suite.heads:
            self.stdout.write(f"Suite version: {suite.version}")
        self.stdout.write(f"Inference: {engine_settings.describe(engine_settings.status())}")
        if suite.problems:
            self.stdout.write("Problems:")
            for problem in suite.problems:
                self.stdout.write(f"  {problem.path}: {problem.message}")
