"""Scan benchmark: first scan and unchanged rescan of many small generated files through the
app's scanner (database included), beside a bare os.scandir + mutagen loop in the same run.

    .venv/bin/python benchmarks/scan.py [--files 20000] [--keep]

Uses a private data dir (SQLite) unless DATABASE_URL is set. Not run by the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FORMATS = ("mp3", "flac", "ogg", "opus", "m4a")


def setup_django(data_dir: Path) -> None:
    os.environ["NOMARR_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def generate(folder: Path, count: int) -> Path:
    """`count` files: copies of one tiny file per format, spread over artist/album folders."""
    from tests.support.audio import make_audio

    templates = [
        make_audio(folder / "templates" / f"t.{fmt}", seconds=0.5, tags={"title": "T"})
        for fmt in FORMATS
    ]
    music = folder / "music"
    for index in range(count):
        template = templates[index % len(templates)]
        target = music / f"Artist {index // 500:03d}" / f"Album {index // 20:05d}"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target / f"{index:06d} track{template.suffix}")
    return music


def baseline(root: Path, read: bool) -> int:
    """The bare loop: os.scandir, stat, and (first scan) mutagen on every audio file."""
    import mutagen

    from library.tagfiles.formats import is_audio_name

    pending, seen = [str(root)], 0
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir():
                    pending.append(entry.path)
                elif is_audio_name(entry.name):
                    entry.stat()
                    if read:
                        mutagen.File(entry.path)
                    seen += 1
    return seen


def timed(label: str, func) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    print(f"  {label:<34} {seconds:8.2f} s")
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nomarr-scan-bench-"))
    try:
        setup_django(work / "data")
        from library.models import Library
        from library.scanning.scanner import scan_library

        print(f"Generating {args.files} files in {work} ...")
        music = generate(work, args.files)
        library = Library.objects.create(name="Bench", root_path=str(music))
        print("First scan:")
        base_first, _ = timed("baseline scandir + stat + mutagen", lambda: baseline(music, True))
        app_first, summary = timed("app scanner (with database)", lambda: scan_library(library))
        assert summary.added == args.files, summary.counters()
        print("Unchanged rescan:")
        base_again, _ = timed("baseline scandir + stat", lambda: baseline(music, False))
        app_again, again = timed("app scanner (with database)", lambda: scan_library(library))
        assert again.unchanged == args.files, again.counters()
        n = args.files
        print()
        print(f"{'':<18}{'baseline files/s':>18}{'app files/s':>14}{'app/baseline':>14}")
        for label, base, app in (("first scan", base_first, app_first),
                                 ("unchanged rescan", base_again, app_again)):  # fmt: skip
            print(f"{label:<18}{n / base:>18.0f}{n / app:>14.0f}{base / app:>14.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
