"""`nom manage-password`: reset the admin password (passwords are stored hashed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from nomarr_site.auth import passwords


class Command(BaseCommand):
    help = "Reset the admin password, or explain why it cannot be shown."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--reset", action="store_true", help="print a new random password")
        group.add_argument("--set", metavar="PASSWORD", help="set this password")
        group.add_argument("--show", action="store_true", help="explain how to recover access")

    def handle(self, *args, **options):
        if options["show"]:
            self.stdout.write(
                "The admin password is stored hashed and cannot be shown. "
                "Run `nom manage-password --reset` to print a new one."
            )
            return
        password = options["set"] or passwords.generate()
        try:
            passwords.set_password(password, allow_replace=True)
        except passwords.WeakPassword as exc:
            raise CommandError(str(exc)) from None
        if options["reset"]:
            self.stdout.write(f"New admin password: {password}")
        else:
            self.stdout.write("Admin password updated.")
