"""Invitation codes: generated from an alphabet without look-alikes (no 0/O, 1/I/L), at least
10 characters, with `secrets`; custom codes are checked against the same rules. Codes are
case-insensitive: stored and compared upper-case."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from nomarr_site.domain import Conflict, Invalid

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 12
MIN_LENGTH = 10
MAX_LENGTH = 64


def generate() -> str:
    """A fresh random code (12 characters: about 59 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))


def normalise(code: str) -> str:
    """The stored form of `code` (upper-case, surrounding blanks dropped)."""
    return code.strip().upper()


def validate_custom(code: object) -> str:
    """A person's own code in its stored form, or Invalid naming the field `code`."""
    if not isinstance(code, str):
        raise Invalid("The code must be text", field="code")
    value = normalise(code)
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        raise Invalid(
            f"The code must be {MIN_LENGTH} to {MAX_LENGTH} characters long", field="code"
        )
    wrong = sorted({c for c in value if c not in ALPHABET})
    if wrong:
        raise Invalid(
            "The code may use only letters and digits that cannot be mistaken for each other "
            f"(not {', '.join(repr(c) for c in wrong)})",
            field="code",
        )
    return value


def unique_code(taken: Callable[[str], bool], custom: object = None) -> str:
    """A code no invitation has: `custom` (validated) or a generated one. `taken(code)` tells
    whether a code is in use."""
    if custom is not None and custom != "":
        value = validate_custom(custom)
        if taken(value):
            raise Conflict("An invitation with this code already exists", field="code")
        return value
    while True:
        value = generate()
        if not taken(value):
            return value
