"""Authorization follows the route that runs: forged root-path headers and path tricks never
change who may call a route, a route without a declared policy is refused, and ids that cannot
exist answer 404 instead of reaching the database.

The HTTP requests go through the real ASGI application (`nomarr_site.asgi.application`) with
the scope daphne builds: daphne turns a `Daphne-Root-Path` header into the scope's `root_path`
and drops header names with an underscore, so `request()` does the same here.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import get_resolver, path
from rest_framework.response import Response
from rest_framework.views import APIView

from nomarr_site.auth import policy
from nomarr_site.rootpath import configured_scope
from tests.support.routes import schema_operations, walk

pytestmark = pytest.mark.django_db

PUBLIC_PREFIXES = ("/api/web/auth", "/health")
FORGED_HEADER_SETS = [
    *({"Daphne-Root-Path": prefix} for prefix in PUBLIC_PREFIXES),
    {"X-Forwarded-Prefix": "/health", "X-Script-Name": "/health", "SCRIPT_NAME": "/health"},
]


# Django's ASGI handler runs each request's sync code in a thread of its own, with its own
# database connection: tests that go through it must commit their data (transaction=True).
ASGI = pytest.mark.django_db(transaction=True)


def request(method: str, raw_path: str, headers: dict[str, str] | None = None) -> int:
    """The status of `method raw_path` through the ASGI app, as daphne would hand it over."""
    from nomarr_site.asgi import application

    cache.clear()  # the login limiter must not turn a repeated request into a 429
    root_path = ""
    scope_headers = [(b"host", b"testserver"), (b"content-type", b"application/json")]
    for name, value in (headers or {}).items():
        if name.lower() == "daphne-root-path":
            root_path = unquote(value)
        elif "_" not in name:
            scope_headers.append((name.lower().encode(), value.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": scope_headers,
        "client": ["127.0.0.1", 40000],
        "server": ["testserver", 80],
    }

    async def run() -> int:
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b"{}"})
        start = await communicator.receive_output(10)
        while True:  # drain the body so the application finishes cleanly
            message = await communicator.receive_output(10)
            if not message.get("more_body"):
                break
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(10)
        return int(start["status"])

    return async_to_sync(run)()


def _sampled(route: str) -> bool:
    """The Django admin has a hundred routes of a few shapes, behind its own login: its
    top-level pages and one model's pages stand for the rest."""
    return not route.startswith("/backoffice/") or route.count("/") <= 3 or "apikey" in route


def _plain_routes() -> list[tuple[str, str]]:
    """Routes outside the schema: pages, the SSE stream, the backoffice."""
    schema_paths = {route for _method, route in schema_operations()}
    found = [
        ("GET", route)
        for _entry, route in walk(get_resolver().url_patterns)
        if route not in schema_paths and _sampled(route)
    ]
    return sorted(set(found))


ROUTES = schema_operations() + _plain_routes()


def _tricks(route: str) -> list[str]:
    inner = route.lstrip("/")
    tricks = [
        "/" + route,  # //api/...
        route.replace("/", "/./", 1) if inner else "/./",
        "/" + quote(inner, safe=""),  # encoded slashes
        *(prefix + route for prefix in PUBLIC_PREFIXES),
    ]
    return [trick for trick in tricks if trick != route]


@pytest.mark.parametrize(("method", "route"), ROUTES)
@ASGI
def test_forged_headers_and_path_tricks_change_nothing(method, route):
    clean = request(method, route)
    for raw_path in [route, *_tricks(route)]:
        plain = request(method, raw_path)
        if clean in (401, 403, 302):  # a protected route stays protected however it is spelt
            assert plain in (clean, 404), (raw_path, plain, clean)
        for headers in FORGED_HEADER_SETS:
            assert request(method, raw_path, headers) == plain, (raw_path, headers)


@ASGI
def test_every_protected_api_route_refuses_a_stranger():
    protected = [
        (method, route)
        for method, route in ROUTES
        if route.startswith(("/api/web/", "/api/v1/", "/admin/", "/api/config", "/api/api-keys"))
        and policy.group_for(route) not in (policy.PUBLIC, None)
    ]
    assert len(protected) > 40
    for method, route in protected:
        assert request(method, route) == 401, (method, route)


@ASGI
def test_a_forged_root_path_mints_no_api_key():
    headers = {"Daphne-Root-Path": "/api/web/auth"}
    assert request("POST", "/api/web/auth/api/api-keys", headers) == 404
    from nomarr_site.models import ApiKey

    assert not ApiKey.objects.exists()


@ASGI
def test_a_forged_root_path_reads_no_settings(admin_user):
    assert request("GET", "/health/api/web/config", {"Daphne-Root-Path": "/health"}) == 404


def test_every_route_declares_a_policy():
    undeclared = [
        route
        for entry, route in walk(get_resolver().url_patterns)
        if policy.group_of_view(entry.callback) is None
    ]
    assert undeclared == []


def test_the_websocket_route_declares_its_policy_in_the_scope():
    from nomarr_site.routing import websocket_urlpatterns

    assert [policy.group_of_view(entry.callback) for entry in websocket_urlpatterns] == [
        policy.SERVICE,
        policy.PUBLIC,  # the catch-all that refuses every other path
    ]


@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_the_root_path_comes_from_configuration_only(kind):
    forged = {"type": kind, "path": "/health/api/web/config", "root_path": "/health"}
    assert configured_scope(forged, "")["root_path"] == ""
    assert configured_scope(forged, "")["path"] == "/health/api/web/config"
    behind_proxy = configured_scope({"type": kind, "path": "/nomarr/web/login"}, "/nomarr")
    assert (behind_proxy["root_path"], behind_proxy["path"]) == ("/nomarr", "/nomarr/web/login")
    stripped = configured_scope({"type": kind, "path": "/web/login"}, "/nomarr")
    assert (stripped["root_path"], stripped["path"]) == ("/nomarr", "/nomarr/web/login")


@ASGI
def test_the_configured_url_base_routes_below_it(settings, admin_user):
    from nomarr_site.asgi import application

    application.base = "/nomarr"
    try:
        assert request("GET", "/nomarr/api/web/config") == 401
        assert request("GET", "/nomarr/health") == 200
    finally:
        application.base = settings.URL_BASE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, ""), ("", ""), ("/", ""), ("/nomarr", "/nomarr"), ("/a/b/", "/a/b")],
)
def test_the_url_base_setting_is_parsed(monkeypatch, raw, expected):
    from nomarr_site import env

    if raw is None:
        monkeypatch.delenv("NOMARR_URL_BASE", raising=False)
    else:
        monkeypatch.setenv("NOMARR_URL_BASE", raw)
    assert env.get_url_base("NOMARR_URL_BASE") == expected


@pytest.mark.parametrize("raw", ["nomarr", "/a//b", "/a/../b", "/a?b", "/a b", "/%2e%2e"])
def test_a_bad_url_base_stops_start_up(monkeypatch, raw):
    from django.core.exceptions import ImproperlyConfigured

    from nomarr_site import env

    monkeypatch.setenv("NOMARR_URL_BASE", raw)
    with pytest.raises(ImproperlyConfigured, match="NOMARR_URL_BASE"):
        env.get_url_base("NOMARR_URL_BASE")


# Routes without a declared policy, and an API route whose view checks nothing.


class _Open(APIView):
    def get(self, request):
        return Response({"ok": True})


def _plain_view(request):
    return HttpResponse("ok")


urlpatterns = [
    path("undeclared/drf", _Open.as_view()),
    path("undeclared/plain", _plain_view),
    *policy.routes(policy.SERVICE, [path("unchecked/plain", lambda request: HttpResponse())]),
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("route", ["/undeclared/drf", "/undeclared/plain", "/unchecked/plain"])
def test_a_route_without_a_declared_policy_is_refused(anonymous, token_holder, route):
    for client in (anonymous, token_holder):
        response = client.get(route)
        assert response.status_code == 403
        assert response.json()["error"] == "AUTHORIZATION_ERROR"


def test_a_view_declared_in_two_groups_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    view = _Open.as_view()
    policy.routes(policy.WEB, [path("a", view)])
    with pytest.raises(ImproperlyConfigured, match="declared both"):
        policy.routes(policy.SERVICE, [path("b", view)])


# Ids that cannot exist.

HUGE = "1" + "0" * 30


@pytest.mark.parametrize(
    "route",
    [
        f"/api/web/queue/status/{HUGE}",
        f"/api/web/queue/retry/{HUGE}",
        f"/api/web/libraries/{HUGE}",
        f"/api/web/tracks/{HUGE}",
        f"/api/web/queue/status/{'9' * 19}",
    ],
)
def test_an_id_that_cannot_exist_finds_no_route_and_is_a_404(token_holder, route):
    response = token_holder.get(route)
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND_ERROR"
    assert response.json()["message"].startswith("No API endpoint at")  # the view never ran


def test_api_key_and_legacy_ids_that_cannot_exist_find_no_route(key_holder):
    for response in (
        key_holder.delete(f"/api/api-keys/{HUGE}"),
        key_holder.get(f"/api/v1/status/{HUGE}"),
    ):
        assert response.status_code == 404
        assert response.json()["message"].startswith("No API endpoint at")


def test_a_page_id_that_cannot_exist_is_a_404(admin_browser):
    assert admin_browser.get(f"/web/tracks/{HUGE}").status_code == 404


def test_the_largest_id_still_reaches_the_view(token_holder):
    response = token_holder.get(f"/api/web/queue/status/{'9' * 18}")
    assert response.status_code == 404
    assert "999999999999999999" in response.json()["message"]


# The WebSocket route, with the root path daphne would take from a forged header.


def _socket_outcome(scope_path: str, root_path: str, query: str) -> str:
    from nomarr_site.asgi import application
    from tests.support.aio import run_scenario

    scope = {
        "type": "websocket",
        "path": scope_path,
        "raw_path": scope_path.encode(),
        "root_path": root_path,
        "query_string": query.encode(),
        "headers": [(b"host", b"testserver")],
        "subprotocols": [],
    }

    async def scenario() -> str:
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "websocket.connect"})
        answer = await communicator.receive_output(5)
        await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await communicator.wait(5)
        return answer["type"]

    return run_scenario(scenario)


@ASGI
def test_a_forged_root_path_neither_opens_nor_breaks_the_event_socket(api_key):
    key = f"apikey={api_key.clear}"
    assert _socket_outcome("/ws/connect", "/health", key) == "websocket.accept"
    assert _socket_outcome("/ws/connect", "/health", "") == "websocket.close"
    assert _socket_outcome("/health/ws/connect", "/health", key) == "websocket.close"
