"""Bounded integers from query strings and JSON bodies.

Python's ints have no size, the database's do: `offset=99999999999999999999999` or a job id of
10**30 reached SQLite as an OverflowError (a 500). Every integer a client sends goes through
here, so an out-of-range value is a 400 that names the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from nomarr_site.errors import ValidationFailed

# Primary keys are BigAutoField (a signed 64-bit integer on SQLite and PostgreSQL).
MAX_ID = 2**63 - 1
# Offsets and counts: far beyond any real list, and inside PostgreSQL's 32-bit `integer`.
MAX_COUNT = 2**31 - 1
# An echo of the client's value in a message is cut to this many characters.
ECHO_LENGTH = 40
MAX_DIGITS = 20
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _echo(raw: object) -> str:
    text = str(raw)
    return repr(text if len(text) <= ECHO_LENGTH else text[:ECHO_LENGTH] + "...")


def query_int(
    params: Mapping[str, Any],
    name: str,
    default: int,
    minimum: int = 0,
    maximum: int = MAX_COUNT,
) -> int:
    """The integer `name` of a query string (or form), `default` when absent or empty; a 400
    naming `name` when it is not a plain integer in [minimum, maximum]."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    text = str(raw).strip()
    details = {"field": name, "min": minimum, "max": maximum}
    # ASCII digits only: int() would also take "١٢" and "1_000", which no client means.
    if not _INTEGER.fullmatch(text) or (text.startswith("-") and minimum >= 0):
        raise ValidationFailed(f"{name} must be {_kind(minimum)}, got {_echo(raw)}", details)
    # Past MAX_DIGITS a number is out of any range here (and int() refuses 4300 digits).
    value: int
    if len(text.lstrip("+-0")) > MAX_DIGITS:
        value = -(10**MAX_DIGITS) if text.startswith("-") else 10**MAX_DIGITS
    else:
        value = int(text)
    if value > maximum:
        raise ValidationFailed(f"{name} must be at most {maximum}, got {_echo(text)}", details)
    if value < minimum:
        raise ValidationFailed(f"{name} must be {_kind(minimum)}, got {_echo(text)}", details)
    return value


def _kind(minimum: int) -> str:
    if minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return "a whole number (0 or more)"
    return f"an integer of at least {minimum}"


def optional_query_int(
    params: Mapping[str, Any], name: str, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """Like `query_int` for a filter that may be absent (None); by default a database id."""
    if params.get(name) in (None, ""):
        return None
    return query_int(params, name, 0, minimum, maximum)


def IdField(**kwargs: Any) -> serializers.IntegerField:  # noqa: N802 - used like a field class
    """A serializer field for a database id: a whole number from 1 to MAX_ID."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
