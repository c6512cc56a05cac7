"""Each credential kind is accepted where the policy says and refused elsewhere."""

from __future__ import annotations

import pytest

from nomarr_site.auth.policy import group_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("/api/v1/info", "public"),
        ("/health", "public"),
        ("/health/detailed", "public"),
        ("/api/auth/login", "public"),
        ("/api/web/auth/login", "public"),
        ("/api/v1/webhooks/lidarr", "webhook"),
        ("/api/v1/tag", "legacy"),
        ("/admin/queue/summary", "admin"),  # legacy until API key scopes: full keys only
        ("/api/web/queue/queue-depth", "web"),
        ("/api/api-keys", "service"),
        ("/api/config", "service"),  # no /api/queue/* route exists: a real service route
        ("/ws/status", "service"),
        ("/web/dashboard", "page"),
        ("/backoffice/", "backoffice"),
    ],
)
def test_routes_declare_their_policy_group(path, group):
    assert group_for(path).name == group


def test_anonymous_visitor_is_refused_with_401_in_the_error_format(anonymous):
    response = anonymous.get("/api/api-keys")
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False
    assert body["error"] == "AUTHENTICATION_ERROR"
    assert body["request_id"] == response["X-Request-ID"]


def test_key_holder_may_list_api_keys(key_holder):
    response = key_holder.get("/api/api-keys")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_key_holder_is_refused_on_web_endpoints_with_403(key_holder, admin_user):
    response = key_holder.get("/api/web/config")
    assert response.status_code == 403
    assert response.json()["error"] == "AUTHORIZATION_ERROR"
    assert "API key" in response.json()["message"]


def test_api_key_is_accepted_in_each_of_its_three_places(api_key, anonymous):
    assert anonymous.get("/api/api-keys", HTTP_X_API_KEY=api_key.clear).status_code == 200
    assert anonymous.get(f"/api/api-keys?apikey={api_key.clear}").status_code == 200
    assert (
        anonymous.get("/api/api-keys", HTTP_AUTHORIZATION=f"Bearer {api_key.clear}").status_code
        == 200
    )


def test_using_a_key_records_last_used(api_key, key_holder):
    assert api_key.last_used_at is None
    key_holder.get("/api/api-keys")
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_basic_auth_key_is_refused_outside_webhooks(api_key, anonymous):
    import base64

    value = base64.b64encode(f"lidarr:{api_key.clear}".encode()).decode()
    response = anonymous.get("/api/api-keys", HTTP_AUTHORIZATION=f"Basic {value}")
    assert response.status_code == 403


def test_token_holder_is_refused_on_legacy_api_key_endpoints(token_holder):
    response = token_holder.get("/api/v1/list")
    assert response.status_code in (403, 404)
    if response.status_code == 403:
        assert response.json()["error"] == "AUTHORIZATION_ERROR"


def test_unknown_key_is_401(anonymous, db):
    response = anonymous.get("/api/api-keys", HTTP_X_API_KEY="nmr_not-a-key")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid API key"


@pytest.mark.parametrize("header", ["{key}", "Bearer\t{key}", "Token {key}"])
def test_a_malformed_authorization_header_is_refused_without_echoing_the_key(
    api_key, anonymous, header
):
    response = anonymous.get("/api/api-keys", HTTP_AUTHORIZATION=header.format(key=api_key.clear))
    assert response.status_code == 401
    assert response.json()["error"] == "AUTHENTICATION_ERROR"
    assert "Bearer" in response.json()["message"]
    assert api_key.clear[4:].lower() not in response.content.decode().lower()


def test_a_deleted_key_is_refused(api_key, anonymous):
    api_key.revoke()
    response = anonymous.get("/api/api-keys", HTTP_X_API_KEY=api_key.clear)
    assert response.status_code == 401


def test_a_revoked_token_is_refused(token_holder):
    assert token_holder.get("/api/api-keys").status_code == 200
    assert token_holder.post("/api/auth/logout").status_code == 200
    assert token_holder.get("/api/api-keys").status_code == 401


def test_an_expired_token_is_refused(token_holder):
    from datetime import timedelta

    from django.utils import timezone

    token = token_holder.token
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert token_holder.get("/api/api-keys").status_code == 401


def test_browser_session_needs_csrf_for_unsafe_methods(admin_browser):
    response = admin_browser.post(
        "/api/api-keys", data={"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_browser_session_may_read_web_api(admin_browser):
    assert admin_browser.get("/api/api-keys").status_code == 200


def test_keys_and_tokens_are_stored_hashed(api_key, token_holder):
    from nomarr_site.models import ApiKey, AuthToken

    stored = ApiKey.objects.get(pk=api_key.pk)
    assert api_key.clear not in stored.key_hash
    assert len(stored.key_hash) == 64
    assert AuthToken.objects.filter(token_hash=token_holder.clear).count() == 0


# API key scopes: what a `tag` key (Lidarr, a tagging script) may call, group by group.


@pytest.fixture
def tag_key_holder(db):
    """A script holding a `tag` key."""
    from rest_framework.test import APIClient

    from nomarr_site.models import ApiKey

    key, clear = ApiKey.create_key("lidarr", scope=ApiKey.Scope.TAG)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=clear)
    client.key = key
    client.clear = clear
    return client


def _api_routes():
    from django.urls import get_resolver

    from tests.support.routes import schema_operations, walk

    operations = set(schema_operations())
    operations |= {
        ("GET", route)
        for _entry, route in walk(get_resolver().url_patterns)
        if route.startswith(("/api/", "/admin/", "/ws/"))
    }
    return sorted(operations)


@pytest.mark.parametrize(("method", "route"), _api_routes())
def test_a_tag_key_reaches_its_groups_and_is_refused_elsewhere_naming_the_scope(
    tag_key_holder, method, route
):
    from nomarr_site.auth import policy
    from nomarr_site.auth.credentials import API_KEY

    group = policy.group_for(route)
    response = getattr(tag_key_holder, method.lower())(route, {}, format="json")
    if group.public or (API_KEY in group.accepts and "tag" in group.key_scopes):
        assert response.status_code not in (401, 403), response.content
    elif API_KEY not in group.accepts:
        assert response.status_code == 403
        assert "does not accept an API key" in response.json()["message"]
    else:
        assert response.status_code == 403
        code, message = _code_and_message(response.json(), group)
        assert code == "AUTHORIZATION_ERROR"
        assert message == (
            "This endpoint needs an API key with the 'full' scope; this key has the 'tag' scope"
        )


def _code_and_message(body: dict, group) -> tuple[str, str]:
    """The error code and message in the error shape the route's group chose (AltMount's
    import endpoint carries the code in its `details` text)."""
    from nomarr_site.errors import ALTMOUNT_ERRORS

    if group.error_format == ALTMOUNT_ERRORS:
        return body["error"]["details"].split(" ")[0], body["error"]["message"]
    return body["error"], body["message"]


def test_a_tag_key_cannot_manage_keys_backups_or_settings(tag_key_holder, api_key):
    from nomarr_site.models import ApiKey

    refused = [
        tag_key_holder.post("/api/api-keys", {"name": "more", "scope": "full"}, format="json"),
        tag_key_holder.delete(f"/api/api-keys/{api_key.pk}"),
        tag_key_holder.delete(f"/api/api-keys/{tag_key_holder.key.pk}"),
        tag_key_holder.post("/api/config/backups/any.json/restore"),
        tag_key_holder.put("/api/config", {"namespace": "x"}, format="json"),
        tag_key_holder.post("/admin/worker/pause"),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert all("'tag' scope" in response.json()["message"] for response in refused)
    assert ApiKey.objects.active().count() == 2


def test_a_tag_key_tags_and_reads_status(tag_key_holder):
    assert tag_key_holder.get("/api/v1/list").status_code == 200
    assert tag_key_holder.get("/api/v1/status/1").status_code == 404  # reached the view
    response = tag_key_holder.post("/api/v1/webhooks/lidarr", {"eventType": "Test"}, format="json")
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_tag_key_opens_no_event_socket_where_a_full_key_does(tag_key_holder, api_key):
    from channels.testing import WebsocketCommunicator

    from nomarr_site.asgi import application
    from tests.support.aio import run_scenario

    async def connects(clear: str) -> bool:
        socket = WebsocketCommunicator(application, f"/ws/connect?apikey={clear}")
        connected, _ = await socket.connect(timeout=5)
        await socket.disconnect()
        return connected

    async def scenario():
        return await connects(tag_key_holder.clear), await connects(api_key.clear)

    assert run_scenario(scenario) == (False, True)


def test_a_full_key_keeps_todays_powers(key_holder):
    assert key_holder.key.scope == "full"
    assert key_holder.get("/admin/queue/summary").status_code == 200
    response = key_holder.post("/api/api-keys", {"name": "other"}, format="json")
    assert response.status_code == 201
