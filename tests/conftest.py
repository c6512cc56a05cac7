"""Shared fixtures: settings for fast tests and the named personas used by permission tests
(an admin with a browser session, a token holder, a key-holder and an anonymous visitor)."""

from __future__ import annotations

import sys

import pytest

# The loopback TMDB server (`tmdb_server`) and Nomarr configured for it (`tmdb`); a loopback
# download source (`download_server`); the loopback SABnzbd and NZBGet (`sabnzbd_server`,
# `nzbget_server`).
pytest_plugins = [
    "tests.support.tmdb",
    "tests.support.download_server",
    "tests.support.nzb_clients",
]

ADMIN_PASSWORD = "Correct-Horse-9"


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_trailing_queue_status():
    """A throttled queue-status announcement fires on a timer thread; one left from a test would
    run in the next one (or after its database is gone)."""
    yield
    from jobs.services.events import cancel_trailing_status

    cancel_trailing_status()


@pytest.fixture(autouse=True)
def _absl_log_handler_on_the_real_stderr():
    """OpenVINO imports absl, whose log handler keeps the `sys.stderr` of the moment it was
    imported: under pytest, a capture stream. When Django configures logging again (`nom`'s
    entry point in tests/jobs/test_cli.py), closing that handler closed pytest's capture file
    and ended the run ("lost sys.stderr"); absl never closes the real stderr."""
    absl_logging = sys.modules.get("absl.logging")
    if absl_logging is not None:
        absl_logging.get_absl_handler().python_handler.stream = sys.__stderr__
    yield


@pytest.fixture(autouse=True)
def _log_levels_kept(monkeypatch):
    """The stored `log_level` is read again when a request or task starts (at most every 30 s):
    in tests that would add a query at random points and let one test's level leak into the
    next, so it is read only where a test asks (tests/nomarr_site/test_log_level.py)."""
    import logging

    from nomarr_site import log_level

    monkeypatch.setattr(log_level, "_checked_at", float("inf"))
    levels = {name: logging.getLogger(name or None).level for name in log_level.LOGGERS}
    yield
    for name, level in levels.items():
        logging.getLogger(name or None).setLevel(level)


@pytest.fixture
def admin_user(db):
    from nomarr_site.auth import passwords

    passwords.set_password(ADMIN_PASSWORD, allow_replace=True)
    return passwords.admin()


@pytest.fixture
def api_key(db):
    from nomarr_site.models import ApiKey

    key, clear = ApiKey.create_key("test key")
    key.clear = clear
    return key


@pytest.fixture
def anonymous():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def key_holder(api_key):
    """A script holding an API key, sent as a bearer token."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key.clear}")
    client.key = api_key
    return client


@pytest.fixture
def token_holder(admin_user):
    """An API client that logged in with the admin password and holds a session token."""
    from datetime import timedelta

    from rest_framework.test import APIClient

    from nomarr_site.models import AuthToken

    token, clear = AuthToken.issue(admin_user, timedelta(hours=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    client.token = token
    client.clear = clear
    return client


@pytest.fixture
def admin_browser(admin_user):
    """A logged-in browser session (Django test client, CSRF enforced)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client
