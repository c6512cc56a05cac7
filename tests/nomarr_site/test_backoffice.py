"""The Django admin at /backoffice/: every model of Nomarr's apps is registered and its list
page renders for the admin; the browsable API is offered to staff only."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

pytestmark = pytest.mark.django_db

OUR_APPS = ("nomarr_site", "jobs", "library", "calibration", "invitations", "media_meta")


def our_models():
    return [m for app in OUR_APPS for m in apps.get_app_config(app).get_models()]


def test_every_model_is_registered():
    missing = [m.__name__ for m in our_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_each_list_page_renders_with_search_and_filters(admin_browser, model):
    meta = model._meta
    response = admin_browser.get(f"/backoffice/{meta.app_label}/{meta.model_name}/?q=x")
    assert response.status_code == 200


def test_the_browsable_api_is_for_staff_only(admin_browser, key_holder):
    html = admin_browser.get("/api/api-keys", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    as_key = key_holder.get("/api/api-keys", HTTP_ACCEPT="text/html")
    assert as_key.status_code == 200
    assert as_key["Content-Type"].startswith("application/json")


def _backoffice_login(client, password):
    return client.post(
        "/backoffice/login/?next=/backoffice/",
        {"username": "admin", "password": password, "next": "/backoffice/"},
    )


def _lock_out_through_the_api(monkeypatch):
    """Fail the API login until the lockout bites; returns the fake clock."""
    import time

    from rest_framework.test import APIClient

    from nomarr_site.auth import ratelimit

    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    api = APIClient()
    for _ in range(ratelimit.LOCKOUT_FAILURES):
        clock[0] += ratelimit.WINDOW_SECONDS  # a fresh window each time: only the lockout bites
        api.post("/api/auth/login", {"password": "nope"}, format="json")
    clock[0] += ratelimit.WINDOW_SECONDS
    return clock


def test_backoffice_login_works_with_the_admin_password(client, admin_user):
    from tests.conftest import ADMIN_PASSWORD

    response = _backoffice_login(client, ADMIN_PASSWORD)
    assert response.status_code == 302
    assert client.get("/backoffice/").status_code == 200


def test_backoffice_brute_force_is_refused_after_the_limit_even_with_the_right_password(
    client, admin_user
):
    from tests.conftest import ADMIN_PASSWORD

    for _ in range(5):
        assert _backoffice_login(client, "wrong").status_code == 200
    response = _backoffice_login(client, ADMIN_PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts; try again in" in response.content.decode()
    assert client.get("/backoffice/").status_code == 302  # still not logged in


def test_an_api_lockout_also_locks_the_backoffice(client, admin_user, monkeypatch):
    from nomarr_site.auth import ratelimit
    from tests.conftest import ADMIN_PASSWORD

    clock = _lock_out_through_the_api(monkeypatch)
    response = _backoffice_login(client, ADMIN_PASSWORD)
    assert response.status_code == 429
    assert "try again in 15 minutes" in response.content.decode()
    assert client.get("/backoffice/").status_code == 302
    clock[0] += ratelimit.LOCKOUT_SECONDS + 1
    assert _backoffice_login(client, ADMIN_PASSWORD).status_code == 302


def test_backoffice_failures_lock_out_the_api_logins(client, admin_user, anonymous, monkeypatch):
    import time

    from nomarr_site.auth import ratelimit
    from tests.conftest import ADMIN_PASSWORD

    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    for _ in range(ratelimit.LOCKOUT_FAILURES):
        clock[0] += ratelimit.WINDOW_SECONDS
        _backoffice_login(client, "wrong")
    clock[0] += ratelimit.WINDOW_SECONDS
    for path in ("/api/auth/login", "/api/web/auth/login"):
        response = anonymous.post(path, {"password": ADMIN_PASSWORD}, format="json")
        assert response.status_code == 429
        assert response.json()["error"] == "RATE_LIMIT_ERROR"
        assert int(response["Retry-After"]) > 0


def test_secret_settings_are_masked_in_the_backoffice_list_and_page(
    admin_browser, tmdb_key_setting
):
    from nomarr_site.models import AppSetting

    AppSetting.objects.create(key="tmdb_api_key", value="tmdb-very-secret-123")
    AppSetting.objects.create(key="namespace", value="visiblens")
    listing = admin_browser.get("/backoffice/nomarr_site/appsetting/").content.decode()
    assert "tmdb-very-secret-123" not in listing
    assert "(set)" in listing
    assert "visiblens" in listing
    page = admin_browser.get("/backoffice/nomarr_site/appsetting/tmdb_api_key/change/")
    assert page.status_code == 200
    assert "tmdb-very-secret-123" not in page.content.decode()
    assert "(set)" in page.content.decode()
    assert b'name="value"' not in page.content  # no form field carries it either
    history = admin_browser.get("/backoffice/nomarr_site/appsetting/tmdb_api_key/history/")
    assert "tmdb-very-secret-123" not in history.content.decode()


def test_a_secret_setting_page_cannot_overwrite_the_key(admin_browser, tmdb_key_setting):
    from nomarr_site.models import AppSetting

    AppSetting.objects.create(key="tmdb_api_key", value="tmdb-very-secret-123")
    admin_browser.get("/backoffice/nomarr_site/appsetting/tmdb_api_key/change/")
    csrf = admin_browser.cookies["csrftoken"].value
    admin_browser.post(
        "/backoffice/nomarr_site/appsetting/tmdb_api_key/change/",
        {"value": '"replaced"', "csrfmiddlewaretoken": csrf},
    )
    assert AppSetting.objects.get(key="tmdb_api_key").value == "tmdb-very-secret-123"
