"""Path converters: `<id:…>` matches a database id of 1 to 18 digits, so an id that cannot
exist (past a 64-bit integer) finds no route and answers 404 instead of overflowing a query.
`<uuid_any:…>` matches a UUID in either case: Django's `<uuid:…>` takes lower case only, but
UUIDs are case-insensitive (RFC 9562) and some clients print them in upper case."""

from __future__ import annotations

import uuid

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(int(value))


class AnyCaseUuidConverter:
    """The hyphenated form only, as Django's: anything else finds no route (404)."""

    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def to_python(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_url(self, value: uuid.UUID | str) -> str:
        return str(uuid.UUID(str(value)))


register_converter(IdConverter, "id")
register_converter(AnyCaseUuidConverter, "uuid_any")
