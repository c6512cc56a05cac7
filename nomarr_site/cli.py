"""The `nom` console script: `nom` alone runs `serve`; `nom <command> ...` runs any management
command (`nom list`, `nom cleanup --hours 168`, `nom manage-key --generate`, ...). Hyphenated
names are accepted for underscored commands (`nom admin-reset` = `admin_reset`).

A user's mistake ends in one line on stderr and exit status 1, never a traceback: a setting that
does not parse, or a Nomarr command run against a data dir where the server never created its
database (typically: `nom` run from another folder than the server's, so its `.env` or a
relative `NOMARR_DATA_DIR` points elsewhere)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line, get_commands, load_command_class
from django.db import DatabaseError, connection

NOMARR_APPS = ("nomarr_site", "jobs", "library", "calibration", "invitations", "media_meta")
# Commands of ours that create the database themselves.
CREATES_DATABASE = ("serve",)
# A table every migrated Nomarr database has.
PROBE_TABLE = "jobs_job"


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
    if not args or args[0].startswith("-") and args[0] not in ("-h", "--help", "--version"):
        args.insert(0, "serve")
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        sys.exit(f"nom: {exc}")
    if args in (["-h"], ["--help"], ["help"]):
        sys.stdout.write(overview() + "\n")
        return
    if args[:2] == ["help", "--all"]:
        args = ["help"]
    if needs_database(args):
        problem = database_problem()
        if problem:
            sys.exit(f"nom: {problem}")
    execute_from_command_line(["nom", *args])


def overview() -> str:
    """`nom --help`: Nomarr's own commands, spelled as typed, each with its one-line help;
    Django's commands stay behind `nom help --all`."""
    ours = sorted(name for name, app in get_commands().items() if app in NOMARR_APPS)
    rows = []
    for name in ours:
        command = load_command_class(get_commands()[name], name)
        summary = str(command.help).strip().split("\n")[0]
        rows.append((name.replace("_", "-"), summary))
    width = max(len(name) for name, _ in rows)
    lines = [
        "Usage: nom [command] [options]",
        "",
        "Without a command, nom runs `serve`. Nomarr's commands:",
        "",
        *(f"  {name.ljust(width)}  {summary}" for name, summary in rows),
        "",
        "`nom <command> --help` shows a command's options; `nom help --all` also lists",
        "Django's own commands (migrate, createsuperuser, ...).",
    ]
    return "\n".join(lines)


def needs_database(args: list[str]) -> bool:
    """True for Nomarr's own commands that read the database (not for help or `serve`)."""
    if not args or args[0].startswith("-") or "-h" in args or "--help" in args:
        return False
    app = get_commands().get(args[0])
    return app in NOMARR_APPS and args[0] not in CREATES_DATABASE


def database_problem() -> str | None:
    """Why this process cannot use the server's database, or None when it can. Never creates
    an empty database file as a side effect."""
    sqlite = connection.vendor == "sqlite"
    where = f"in {settings.DATA_DIR}" if sqlite else "at DATABASE_URL"
    missing = (
        f"No Nomarr database {where}; run nom from the folder you started the server in, "
        "or set NOMARR_DATA_DIR to the server's data dir"
        if sqlite
        else f"No Nomarr database {where}; start the server once (nom serve) or check DATABASE_URL"
    )
    if sqlite and not Path(connection.settings_dict["NAME"]).is_file():
        return missing
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        return f"Cannot open the database {where}: {exc}"
    return None if PROBE_TABLE in tables else missing


if __name__ == "__main__":
    main()
