"""Setup, login, logout and status over the API, with the rate limit and lockout."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.django_db


def test_status_before_setup_says_not_configured(anonymous):
    assert anonymous.get("/api/auth/status").json() == {
        "configured": False,
        "authenticated": False,
    }


def test_setup_accepts_a_strong_password_once(anonymous):
    response = anonymous.post("/api/auth/setup", {"master_password": ADMIN_PASSWORD}, format="json")
    assert response.status_code == 201
    assert response.json() == {"status": "ok"}
    again = anonymous.post("/api/auth/setup", {"master_password": "Other-Pass-1"}, format="json")
    assert again.status_code == 400
    assert "already configured" in again.json()["message"]


@pytest.mark.parametrize("weak", ["short1!", "alllowercase1!", "NoDigits!!", "NoSpecial123"])
def test_setup_refuses_weak_passwords(anonymous, weak):
    response = anonymous.post("/api/auth/setup", {"master_password": weak}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"


def test_setup_without_a_password_is_a_validation_error(anonymous):
    response = anonymous.post("/api/auth/setup", {}, format="json")
    assert response.status_code == 400
    assert "master_password" in response.json()["message"]


def test_login_returns_a_bearer_token_that_works(anonymous, admin_user):
    response = anonymous.post(
        "/api/auth/login", {"password": ADMIN_PASSWORD, "remember": False}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_at"]
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert anonymous.get("/api/auth/status").json() == {"configured": True, "authenticated": True}


def test_remember_gives_a_longer_token(anonymous, admin_user):
    from datetime import datetime

    short = anonymous.post("/api/auth/login", {"password": ADMIN_PASSWORD}, format="json").json()
    long = anonymous.post(
        "/api/auth/login", {"password": ADMIN_PASSWORD, "remember": True}, format="json"
    ).json()
    parse = datetime.fromisoformat
    assert parse(long["expires_at"].replace("Z", "+00:00")) > parse(
        short["expires_at"].replace("Z", "+00:00")
    )


def test_web_login_returns_session_token_and_lifetime(anonymous, admin_user):
    response = anonymous.post("/api/web/auth/login", {"password": ADMIN_PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 86400
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {body['session_token']}")
    assert anonymous.get("/api/api-keys").status_code == 200


def test_both_login_endpoints_are_one_view_with_two_shapes(anonymous, admin_user):
    from django.urls import resolve

    from nomarr_site.api import auth
    from nomarr_site.models import AuthToken

    access, web = resolve("/api/auth/login").func, resolve("/api/web/auth/login").func
    assert access.view_class is web.view_class is auth.LoginView
    assert (access.view_initkwargs["shape"], web.view_initkwargs["shape"]) == (
        auth.ACCESS_TOKEN,
        auth.SESSION_TOKEN,
    )
    for url in ("/api/auth/login", "/api/web/auth/login"):
        anonymous.post(url, {"password": ADMIN_PASSWORD, "remember": True}, format="json")
    kinds = sorted(AuthToken.objects.values_list("kind", flat=True))
    assert kinds == sorted([AuthToken.Kind.ACCESS, AuthToken.Kind.WEB])


def test_remember_does_not_lengthen_a_web_session_token(anonymous, admin_user):
    body = anonymous.post(
        "/api/web/auth/login", {"password": ADMIN_PASSWORD, "remember": True}, format="json"
    ).json()
    assert body["expires_in"] == 86400


def test_wrong_password_is_401(anonymous, admin_user):
    response = anonymous.post("/api/auth/login", {"password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"] == "AUTHENTICATION_ERROR"


def test_sixth_attempt_within_a_minute_is_rate_limited(anonymous, admin_user):
    for _ in range(5):
        anonymous.post("/api/auth/login", {"password": "nope"}, format="json")
    response = anonymous.post("/api/auth/login", {"password": ADMIN_PASSWORD}, format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["detail"] == "Too many authentication attempts, try again later"
    assert body["error"] == "RATE_LIMIT_ERROR"
    assert int(response["Retry-After"]) > 0


def test_repeated_failures_lock_out_and_the_lockout_expires(anonymous, admin_user, monkeypatch):
    import time

    from nomarr_site.auth import ratelimit

    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    for _ in range(ratelimit.LOCKOUT_FAILURES):
        clock[0] += ratelimit.WINDOW_SECONDS  # a fresh window each time: only the lockout bites
        anonymous.post("/api/auth/login", {"password": "nope"}, format="json")
    clock[0] += ratelimit.WINDOW_SECONDS
    locked = anonymous.post("/api/auth/login", {"password": ADMIN_PASSWORD}, format="json")
    assert locked.status_code == 429
    clock[0] += ratelimit.LOCKOUT_SECONDS + 1
    assert (
        anonymous.post("/api/auth/login", {"password": ADMIN_PASSWORD}, format="json").status_code
        == 200
    )


def test_setup_is_rate_limited_too(anonymous):
    for _ in range(5):
        anonymous.post("/api/auth/setup", {"master_password": "weak"}, format="json")
    response = anonymous.post("/api/auth/setup", {"master_password": "weak"}, format="json")
    assert response.status_code == 429


def test_environment_password_configures_the_admin_once(db):
    from nomarr_site.auth import passwords

    assert passwords.bootstrap_from_environment("Env-Password-1") is True
    assert passwords.verify("Env-Password-1") is not None
    assert passwords.bootstrap_from_environment("Other-Password-2") is False
    assert passwords.verify("Env-Password-1") is not None


def test_the_login_page_says_when_to_retry_when_locked_out(client, admin_user, monkeypatch):
    import time

    from nomarr_site.auth import ratelimit

    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    for _ in range(ratelimit.LOCKOUT_FAILURES):
        clock[0] += ratelimit.WINDOW_SECONDS
        client.post("/api/web/auth/login", {"password": "nope"}, content_type="application/json")
    clock[0] += 61
    response = client.post("/web/login", {"password": ADMIN_PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == str(ratelimit.LOCKOUT_SECONDS - 60)
    page = response.content.decode()
    assert "Too many attempts; try again in 14 minutes." in page
    assert "Unknown Status" not in page
    assert "_auth_user_id" not in client.session


def test_the_setup_page_says_when_to_retry(client):
    for _ in range(5):
        client.post("/web/setup", {"password": "weak", "confirm": "weak"})
    response = client.post("/web/setup", {"password": "weak", "confirm": "weak"})
    assert response.status_code == 429
    assert "Too many attempts; try again in" in response.content.decode()
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, "Too many attempts; try again later."),
        (1, "Too many attempts; try again in 1 second."),
        (45, "Too many attempts; try again in 45 seconds."),
        (60, "Too many attempts; try again in 1 minute."),
        (61, "Too many attempts; try again in 2 minutes."),
        (900, "Too many attempts; try again in 15 minutes."),
    ],
)
def test_the_retry_message_rounds_the_wait_up(seconds, words):
    from nomarr_site.auth.ratelimit import retry_message

    assert retry_message(seconds) == words


def _log_in_through_the_page(client):
    response = client.post("/web/login", {"password": ADMIN_PASSWORD})
    assert response.status_code == 302
    return client.cookies["sessionid"].value


def test_the_database_holds_no_usable_browser_session_key(client, admin_user):
    from django.contrib.sessions.models import Session
    from django.test import Client

    cookie = _log_in_through_the_page(client)
    assert client.get("/web/dashboard").status_code == 200
    rows = list(Session.objects.values_list("session_key", "session_data"))
    assert rows
    assert all(cookie not in key and cookie not in data for key, data in rows)
    # What the database holds does not work as a cookie.
    thief = Client()
    thief.cookies["sessionid"] = rows[0][0]
    assert thief.get("/web/dashboard").status_code == 302


def test_logging_out_revokes_the_browser_session_on_the_server(client, admin_user):
    from django.contrib.sessions.models import Session
    from django.test import Client

    cookie = _log_in_through_the_page(client)
    client.post("/web/logout")
    assert not Session.objects.filter(session_data__contains="_auth_user_id").exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie  # a copy of the cookie taken before logging out
    assert replay.get("/web/dashboard").status_code == 302


def test_a_session_stored_with_its_key_in_clear_is_not_accepted(client, admin_user):
    from django.contrib.sessions.backends.db import SessionStore as ClearStore
    from django.contrib.sessions.models import Session

    cookie = _log_in_through_the_page(client)
    data = Session.objects.get().session_data
    Session.objects.all().delete()
    old = ClearStore(cookie)  # how rows were written before sessions were hashed
    Session.objects.create(session_key=cookie, session_data=data, expire_date=old.get_expiry_date())
    assert client.get("/web/dashboard").status_code == 302
