"""`nom manage-key`: create, list or revoke API keys from the server's shell.

`--generate` needs a scope: `--scope tag|full`, or, at a terminal, an answer to the question
(`tag` first and the default). Without a terminal and without `--scope` it stops and says so,
rather than guess the powers of a key a script will hold.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from nomarr_site.domain import DomainError
from nomarr_site.models import ApiKey


class Command(BaseCommand):
    help = "Generate, list or revoke API keys. Keys are shown only when generated."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--generate", action="store_true", help="create a key and print it")
        group.add_argument("--list", action="store_true", help="list active keys")
        group.add_argument("--revoke", type=int, metavar="ID", help="revoke the key with this id")
        group.add_argument("--show", action="store_true", help="explain how keys are stored")
        parser.add_argument(
            "--name", help="name for --generate (default: the first free 'CLI key', 'CLI key 2', …)"
        )
        parser.add_argument(
            "--scope",
            choices=[ApiKey.Scope.TAG, ApiKey.Scope.FULL],
            help="for --generate: tag (/api/v1 tagging and status, the Lidarr webhook) or full",
        )

    def handle(self, *args, **options):
        if options["show"]:
            self.stdout.write(
                "API keys are stored hashed and are shown only once, when created. "
                "Run `nom manage-key --generate --name NAME --scope tag|full` for a new key, "
                "or `nom manage-key --list` to see existing keys' names and prefixes."
            )
        elif options["generate"]:
            scope = options["scope"] or self._ask_scope()
            try:
                name = options["name"] if options["name"] is not None else free_default_name()
                key, clear = ApiKey.create_key(name, created_by="cli", scope=scope)
            except DomainError as exc:
                raise CommandError(f"--name: {exc.message}") from None
            self.stdout.write(f"Created API key {key.id} '{key.name}' (scope {key.scope}):")
            self.stdout.write(clear)
        elif options["list"]:
            keys = ApiKey.objects.active().order_by("id")
            if not keys:
                self.stdout.write("No active API keys.")
            for key in keys:
                used = key.last_used_at.isoformat() if key.last_used_at else "never"
                self.stdout.write(
                    f"{key.id}\t{key.name}\t{key.prefix}…\t{key.scope}\tlast used {used}"
                )
        else:
            key = ApiKey.objects.active().filter(pk=options["revoke"]).first()
            if key is None:
                raise CommandError(f"No active API key with id {options['revoke']}")
            key.revoke()
            self.stdout.write(f"Revoked API key {key.id} '{key.name}'.")

    def _ask_scope(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask the key's scope: pass --scope tag or --scope full"
            )
        choices = [ApiKey.Scope.TAG, ApiKey.Scope.FULL]  # tag first: the least power
        for number, scope in enumerate(choices, start=1):
            self.stdout.write(f"  {number}. {scope}: {scope.label}")
        while True:
            try:
                answer = input("Scope of the new key [1]: ").strip().lower()
            except EOFError:
                raise CommandError("No answer: pass --scope tag or --scope full") from None
            if answer in ("", "1", "tag"):
                return ApiKey.Scope.TAG
            if answer in ("2", "full"):
                return ApiKey.Scope.FULL
            self.stdout.write("Answer 1 (tag) or 2 (full).")


def free_default_name() -> str:
    """'CLI key', or 'CLI key N' with the lowest N no active key is named."""
    taken = {name.casefold() for name in ApiKey.objects.active().values_list("name", flat=True)}
    number = 1
    while (name := "CLI key" if number == 1 else f"CLI key {number}").casefold() in taken:
        number += 1
    return name
