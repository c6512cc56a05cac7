"""The `nom` console script: `nom` alone runs `serve`; `nom <command> ...` runs any management
command (`nom list`, `nom cleanup --hours 168`, `nom manage_key --generate`, ...). Hyphenated
names are accepted for underscored commands (`nom admin-reset` = `admin_reset`)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
    if not args or args[0].startswith("-") and args[0] not in ("-h", "--help", "--version"):
        args.insert(0, "serve")
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["nom", *args])


if __name__ == "__main__":
    main()
