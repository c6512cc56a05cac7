"""Fixtures of the library API tests: library roots on disk and one library over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from library.models import Library

LIBRARY_FIELDS = {
    "id", "name", "root_path", "kind", "is_enabled", "is_default", "created_at", "updated_at",
    "file_count", "tagged_count", "last_scan",
}  # fmt: skip


@pytest.fixture
def roots(tmp_path) -> Path:
    for name in ("music", "other", "outside"):
        (tmp_path / name / "Album").mkdir(parents=True)
    (tmp_path / "music" / "Album" / "a.mp3").write_bytes(b"x")
    (tmp_path / "outside" / "b.mp3").write_bytes(b"x")
    return tmp_path


@pytest.fixture
def music(roots) -> Library:
    return Library.objects.create(name="Music", root_path=str(roots / "music"), is_default=True)


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False
    return body
