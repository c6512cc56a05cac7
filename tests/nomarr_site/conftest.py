"""Fixtures of the platform tests."""

from __future__ import annotations

from typing import Any

import pytest

from nomarr_site import config
from nomarr_site.api import config as config_api


def _api_key(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise config.InvalidSetting("expected text of at most 200 characters")
    return value.strip()


@pytest.fixture
def tmdb_key_setting(monkeypatch) -> str:
    """A secret setting, as the TMDB key will be when series metadata arrives: no shipped
    setting is secret yet, but the store, /api/config, backups and the backoffice must hide
    one. Returns its key."""
    item = config.Setting("tmdb_api_key", lambda: "", _api_key, "TMDB API key.", secret=True)
    monkeypatch.setitem(config.DEFINITIONS, item.key, item)
    monkeypatch.setitem(config_api.DOCUMENT_FIELDS["other"], item.key, item.key)
    return item.key
