"""Fixtures of the platform tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def tmdb_key_setting() -> str:
    """The secret (and sealed) setting the store, /api/config, backups and the backoffice must
    hide: the TMDB key. Returns its key."""
    return "tmdb_api_key"
