"""`nom models list` shows the discovered Essentia models and their problems;
`nom models fetch [--set default] [--dir DIR]` downloads a named set from Essentia's site."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from library.checks import models_dir
from library.tagging.fetch import FetchError, fetch_set
from library.tagging.model_sets import BASE_URL, MODEL_SETS
from library.tagging.registry import ModelSuite, discover


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
    help = "List the Essentia models Nomarr found, or download a model set."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="Show embeddings, heads and problems.")
        listing.add_argument("--dir", help="Models folder (default: the models_dir setting).")
        fetch = actions.add_parser("fetch", help="Download a model set from essentia.upf.edu.")
        fetch.add_argument("--set", dest="model_set", default="default", choices=MODEL_SETS)
        fetch.add_argument("--dir", help="Models folder (default: the models_dir setting).")
        fetch.add_argument("--base-url", default=BASE_URL, help="Mirror of Essentia's models.")

    def handle(self, *args, **options):
        directory = options.get("dir") or models_dir()
        if options["action"] == "list":
            self.show(discover(directory))
            return
        bar = ProgressBar(self.stderr)
        try:
            report = fetch_set(
                MODEL_SETS[options["model_set"]], directory, options["base_url"], bar
            )
        except FetchError as exc:
            bar.finish()
            raise CommandError(str(exc)) from None
        bar.finish()
        self.stdout.write(
            f"{len(report.downloaded)} downloaded, {len(report.present)} already present "
            f"in {directory}"
        )
        suite = discover(directory)
        self.stdout.write(f"{len(suite.heads)} usable heads, {len(suite.problems)} problems")

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
        if suite.problems:
            self.stdout.write("Problems:")
            for problem in suite.problems:
                self.stdout.write(f"  {problem.path}: {problem.message}")
