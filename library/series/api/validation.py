"""Request validation of the Aniworld-shaped endpoints (`/api/anime*`, `/api/nfo/*`): a bad
body or query value is 422 `VALIDATION_ERROR`, as that reference says, listing each field."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from nomarr_site.errors import Unprocessable, flatten


def unprocessable(message: str, field: str) -> Unprocessable:
    return Unprocessable(message, details={"field": field, "fields": {field: [message]}})


def validated(serializer: serializers.Serializer) -> dict[str, Any]:
    """The serializer's data, or a 422 listing each field's problem (the reference's status)."""
    if serializer.is_valid():
        return dict(serializer.validated_data)
    errors = serializer.errors
    # Nested fields read as a path: "episodes.0.season: Ensure this value is ...".
    raise Unprocessable("Invalid input: " + "; ".join(flatten(errors)), details={"fields": errors})
