"""The administrator password: setup once, verify, reset. Stored hashed by Django's hashers."""

from __future__ import annotations

import re
import secrets
import string
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ADMIN_USERNAME = "admin"
MIN_LENGTH = 8


class WeakPassword(ValueError):
    pass


class AlreadyConfigured(Exception):
    pass


def strength_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if not re.search(r"[a-z]", password) or not re.search(r"[A-Z]", password):
        problems.append("both lower-case and upper-case letters")
    if not re.search(r"\d", password):
        problems.append("a digit")
    if not re.search(r"[^A-Za-z0-9]", password):
        problems.append("a special character")
    return problems


def check_strength(password: str) -> None:
    problems = strength_problems(password)
    if problems:
        raise WeakPassword("The password needs " + ", ".join(problems) + ".")


def admin() -> User | None:
    return get_user_model().objects.filter(username=ADMIN_USERNAME).first()


def is_configured() -> bool:
    user = admin()
    return bool(user and user.has_usable_password())


def set_password(password: str, *, allow_replace: bool) -> None:
    """Create the admin account with `password`, or replace its password if allowed."""
    check_strength(password)
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=ADMIN_USERNAME).first()
        if user is not None and user.has_usable_password() and not allow_replace:
            raise AlreadyConfigured("The admin password is already configured.")
        if user is None:
            user = User(username=ADMIN_USERNAME, is_staff=True, is_superuser=True)
        user.set_password(password)
        user.is_active = True
        user.save()


def verify(password: str) -> User | None:
    """The admin user if `password` is right, else None."""
    user = admin()
    if user is None or not user.has_usable_password() or not password:
        return None
    return user if user.check_password(password) else None


def generate() -> str:
    """A random password that passes `check_strength`."""
    alphabet = string.ascii_letters + string.digits
    while True:
        core = "".join(secrets.choice(alphabet) for _ in range(18))
        candidate = core[:9] + secrets.choice("!#%+-=@^_") + core[9:]
        if not strength_problems(candidate):
            return candidate


def bootstrap_from_environment(password: str | None) -> bool:
    """Apply NOMARR_ADMIN_PASSWORD on start-up when no password is configured yet."""
    if not password or is_configured():
        return False
    set_password(password, allow_replace=False)
    return True
