"""Path converters: `<id:…>` matches a database id of 1 to 18 digits, so an id that cannot
exist (past a 64-bit integer) finds no route and answers 404 instead of overflowing a query."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
