"""The app's routes for tests that go over all of them: the OpenAPI schema's operations and
every route of the URL map, with path parameters filled in with `1`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from django.urls import URLPattern, URLResolver


def schema_operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation in the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", route))
        for route, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def walk(
    patterns: Iterable[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[URLPattern, str]]:
    """Every (pattern, concrete path) below `patterns`; regex routes are left out."""
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + route)
        elif not route.startswith("^"):
            yield entry, "/" + re.sub(r"<[^>]+>", "1", prefix + route)
