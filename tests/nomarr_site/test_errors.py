"""The one error format, for each status code the API uses."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

FIELDS = {"success", "error", "message", "detail", "details", "request_id"}


def assert_error(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == FIELDS
    assert body["success"] is False
    assert body["error"] == code
    assert body["message"] == body["detail"]
    return body


def test_unknown_api_route_is_json_404(anonymous):
    body = assert_error(anonymous.get("/api/no/such/thing"), 404, "NOT_FOUND_ERROR")
    assert "/api/no/such/thing" in body["message"]


def test_unknown_admin_route_is_json_404(anonymous):
    assert_error(anonymous.get("/admin/nothing-here"), 404, "NOT_FOUND_ERROR")


@pytest.mark.parametrize(
    "path", ["//api/web/libraries", "///admin/x", "/./api/web/libraries", "/web/../api/x"]
)
def test_an_api_path_with_extra_slashes_or_dots_is_a_json_404(anonymous, path):
    # PATH_INFO as a server passes it: the test client would read "//api" as a host name.
    response = anonymous.generic("GET", "/", PATH_INFO=path)
    body = assert_error(response, 404, "NOT_FOUND_ERROR")
    assert path in body["message"]


def test_a_page_path_with_extra_slashes_keeps_the_html_404(anonymous):
    response = anonymous.generic("GET", "/", PATH_INFO="//web/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_validation_error_is_400_with_field_details(key_holder):
    body = assert_error(
        key_holder.post("/api/api-keys", {}, format="json"), 400, "VALIDATION_ERROR"
    )
    assert "name" in body["details"]["fields"]


def test_malformed_json_is_400(key_holder):
    response = key_holder.post("/api/api-keys", "{not json", content_type="application/json")
    assert_error(response, 400, "VALIDATION_ERROR")


def test_missing_resource_is_404(key_holder):
    assert_error(key_holder.delete("/api/api-keys/999999"), 404, "NOT_FOUND_ERROR")


def test_unauthenticated_is_401_and_forbidden_is_403(anonymous, key_holder):
    assert_error(anonymous.get("/api/api-keys"), 401, "AUTHENTICATION_ERROR")
    assert_error(key_holder.get("/api/web/config"), 403, "AUTHORIZATION_ERROR")


def test_wrong_method_is_405(key_holder):
    assert_error(key_holder.put("/api/api-keys", {}, format="json"), 405, "METHOD_NOT_ALLOWED")


def test_conflict_and_unprocessable_and_unavailable_use_the_format(rf):
    from nomarr_site.errors import (
        ConflictError,
        ServiceUnavailable,
        Unprocessable,
        exception_handler,
    )

    for exc, status, code in [
        (ConflictError("already there"), 409, "CONFLICT_ERROR"),
        (Unprocessable("cannot"), 422, "VALIDATION_ERROR"),
        (ServiceUnavailable("down"), 503, "SERVICE_UNAVAILABLE"),
    ]:
        response = exception_handler(exc, {"request": rf.get("/api/x")})
        assert response.status_code == status
        assert response.data["error"] == code
        assert set(response.data) == FIELDS


def test_server_error_hides_the_traceback_and_logs_the_request_id(rf, caplog):
    from nomarr_site.errors import exception_handler

    response = exception_handler(RuntimeError("secret internals"), {"request": rf.get("/api/x")})
    assert response.status_code == 500
    assert response.data["error"] == "SERVER_ERROR"
    assert "secret internals" not in str(response.data)
    assert "Traceback" not in str(response.data)
    assert any("secret internals" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_a_500_from_a_real_view_is_json(anonymous, monkeypatch):
    from nomarr_site import health

    def boom():
        raise RuntimeError("kaput")

    monkeypatch.setattr(health, "basic", boom)
    body = assert_error(anonymous.get("/health"), 500, "SERVER_ERROR")
    assert "kaput" not in body["message"]


def test_rate_limit_is_429_in_the_format(anonymous, admin_user):
    for _ in range(6):
        response = anonymous.post("/api/auth/login", {"password": "x"}, format="json")
    assert_error(response, 429, "RATE_LIMIT_ERROR")


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_past_the_depth_limit_is_400_even_on_the_login(anonymous, opening):
    closing = "]" if opening == "[" else "}"
    payload = opening * 100_000 + "1" + closing * 100_000
    response = anonymous.post("/api/web/auth/login", payload, content_type="application/json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "nested deeper than 64" in body["message"]


def test_json_nested_to_the_limit_still_parses(key_holder):
    from nomarr_site.parsers import MAX_DEPTH

    payload = '{"name": "k", "extra": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    response = key_holder.post("/api/api-keys", payload, content_type="application/json")
    assert response.status_code == 201


def test_brackets_inside_json_strings_do_not_count_towards_the_depth():
    from nomarr_site.parsers import nesting_depth_exceeds

    assert not nesting_depth_exceeds('["' + "[" * 1000 + '\\"[", {"k": "}}}{{{"}]', 2)
    assert nesting_depth_exceeds('[["]"]]', 1)


HUGE = "99999999999999999999999"


def test_an_out_of_range_offset_of_a_paginated_list_is_400_naming_it(token_holder, tmp_path):
    from library.models import Library

    library = Library.objects.create(name="Music", root_path=str(tmp_path))
    url = f"/api/web/libraries/{library.pk}/tracks"
    for query, field in [(f"offset={HUGE}", "offset"), (f"limit={HUGE}0", "limit")]:
        body = assert_error(token_holder.get(f"{url}?{query}"), 400, "VALIDATION_ERROR")
        assert body["details"]["field"] == field
        assert body["message"].startswith(f"{field} must be at most 2147483647, got")
    assert token_holder.get(f"{url}?limit=100000").json()["results"] == []  # capped, not refused


@pytest.mark.parametrize("value", [HUGE, "-1", "1_000", "١٢", "1e3", "0x10", " "])
def test_library_stats_refuses_a_library_id_that_is_not_a_plain_id(token_holder, value):
    response = token_holder.get("/api/web/libraries/stats", {"library_id": value})
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["message"].startswith("library_id must be")


def test_a_body_id_out_of_range_is_400_naming_the_field(key_holder):
    response = key_holder.post("/api/v1/scan", {"library_id": 10**30}, format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "library_id" in body["details"]["fields"]


def test_query_int_takes_plain_integers_in_bounds_only():
    from nomarr_site.errors import ValidationFailed
    from nomarr_site.integers import query_int

    assert query_int({"n": " +42 "}, "n", 0) == 42
    assert query_int({}, "n", 7) == 7
    assert query_int({"n": "0" * 50 + "5"}, "n", 0) == 5
    assert query_int({"n": "-3"}, "n", 0, minimum=-5) == -3
    for raw in ["9" * 5000, "-" + HUGE, "-1", "2147483648", "1.0", "abc", "١٢", "1_0"]:
        with pytest.raises(ValidationFailed) as caught:
            query_int({"n": raw}, "n", 0)
        assert caught.value.details["field"] == "n"
        assert len(str(caught.value.detail)) < 120


def test_a_track_search_with_a_nul_character_is_400(token_holder, tmp_path):
    # PostgreSQL refuses NUL in text: without the check this is a 500 there.
    from library.models import Library

    library = Library.objects.create(name="Music", root_path=str(tmp_path))
    response = token_holder.get(f"/api/web/libraries/{library.pk}/tracks", {"search": "a\x00"})
    assert_error(response, 400, "VALIDATION_ERROR")


# Domain errors: services raise them, knowing nothing of HTTP; errors.py maps them once.

ROOT = Path(__file__).resolve().parents[2]
SERVICE_MODULES = [
    "nomarr_site/domain.py",
    "nomarr_site/config.py",
    "nomarr_site/setting_catalogue.py",
    "nomarr_site/backups.py",
    # every module of library/ but its endpoints, pages, admin and commands
    *sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "library").rglob("*.py")
        if not {"api", "management", "migrations"} & set(p.relative_to(ROOT).parts)
        and p.name not in ("views.py", "urls.py", "admin.py")
    ),
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "jobs/services").glob("*.py")),
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "invitations/services").glob("*.py")),
    "invitations/crypto.py",
]
HTTP_MODULES = ("rest_framework", "django.http", "nomarr_site.errors")
HTTP_ERRORS = {"ApiError", "APIException", "ValidationFailed", "NotFoundError", "ConflictError"}


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def raised_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif isinstance(target, ast.Attribute):
                names.add(target.attr)
    return names


@pytest.mark.parametrize("module", SERVICE_MODULES)
def test_services_import_nothing_of_http_and_raise_no_api_error(module):
    tree = ast.parse((ROOT / module).read_text())
    leaks = {name for name in imported_modules(tree) if name.startswith(HTTP_MODULES)} | (
        raised_names(tree) & HTTP_ERRORS
    )
    assert not leaks, f"{module} knows about HTTP: {sorted(leaks)}"


def domain_error_classes() -> set[type]:
    from nomarr_site.domain import DomainError

    found, todo = set(), [DomainError]
    while todo:
        for cls in todo.pop().__subclasses__():
            if cls not in found:
                found.add(cls)
                todo.append(cls)
    return found


def view_modules() -> list[Path]:
    """Every app's API views: `<app>/api/*.py` and `<app>/<package>/api.py`."""
    return sorted({*ROOT.glob("*/api/*.py"), *ROOT.glob("*/*/api.py")})


# Reworded, not mapped: the config document endpoint prefixes "Invalid configuration", validate
# answers 200 {"valid": false}, and the series directory names its request field.
REWORDING_VIEWS = {"nomarr_site/api/config.py"}


def test_no_view_catches_a_domain_error_to_map_it():
    import library.libraries  # noqa: F401
    import library.tagging.requests  # noqa: F401 - registers their domain errors

    names = {cls.__name__ for cls in domain_error_classes()} | {"DomainError"}
    caught = []
    for path in view_modules():
        module = str(path.relative_to(ROOT))
        if module in REWORDING_VIEWS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                for kind in types:
                    name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", "")
                    if name in names:
                        caught.append(f"{module}:{node.lineno} {name}")
    assert not caught, caught


def domain_cases():
    from library.libraries import LibraryDisabled
    from library.paths import (
        InvalidPath,
        OutsideRoots,
        PathNotFound,
        PathRefused,
        RootConflict,
        SystemFolder,
    )
    from library.tagging.requests import NotAFile, UnusableFile
    from nomarr_site import domain
    from nomarr_site.config import InvalidConfig, InvalidSetting

    return [
        (domain.Invalid("bad"), 400, "VALIDATION_ERROR"),
        (domain.Forbidden("no"), 403, "AUTHORIZATION_ERROR"),
        (domain.NotFound("gone"), 404, "NOT_FOUND_ERROR"),
        (domain.Conflict("clash"), 409, "CONFLICT_ERROR"),
        (domain.Unprocessable("damaged"), 422, "VALIDATION_ERROR"),
        (PathRefused("refused", "/x"), 400, "VALIDATION_ERROR"),
        (InvalidPath("relative"), 400, "VALIDATION_ERROR"),
        (PathNotFound("missing", "/x"), 400, "VALIDATION_ERROR"),
        (SystemFolder("/etc"), 400, "VALIDATION_ERROR"),
        (OutsideRoots("outside", "/x"), 403, "AUTHORIZATION_ERROR"),
        (RootConflict("nested", "/x"), 409, "CONFLICT_ERROR"),
        (LibraryDisabled("off"), 409, "CONFLICT_ERROR"),
        (NotAFile("folder", "/x"), 400, "VALIDATION_ERROR"),
        (UnusableFile("empty", "/x"), 400, "VALIDATION_ERROR"),
        (InvalidSetting("namespace: bad"), 400, "VALIDATION_ERROR"),
        (InvalidConfig({"a": "bad"}), 400, "VALIDATION_ERROR"),
    ]


def test_each_domain_error_maps_to_its_status_in_the_one_format(rf):
    from nomarr_site.errors import exception_handler

    for exc, status, code in domain_cases():
        response = exception_handler(exc, {"request": rf.get("/api/x")})
        assert (type(exc).__name__, response.status_code) == (type(exc).__name__, status)
        assert response.data["error"] == code
        assert set(response.data) == FIELDS
        assert response.data["message"] == str(exc)


def test_a_domain_error_keeps_its_details_and_names_its_field(rf):
    from library.paths import OutsideRoots
    from nomarr_site.errors import exception_handler

    exc = OutsideRoots("Path is outside every library root: /x", "/x", field="path")
    body = exception_handler(exc, {"request": rf.get("/api/x")}).data
    assert body["details"] == {"path": "/x", "fields": {"path": [exc.message]}}


def test_a_disabled_library_scan_is_409_raised_by_the_service(token_holder, tmp_path):
    from library.models import Library

    library = Library.objects.create(name="Off", root_path=str(tmp_path), is_enabled=False)
    response = token_holder.post(f"/api/web/libraries/{library.pk}/scan", {}, format="json")
    body = assert_error(response, 409, "CONFLICT_ERROR")
    assert "disabled" in body["message"]


@pytest.mark.parametrize("host", ["a b", "evil.example/x", "[::1", "h\u00e9.example"])
def test_a_malformed_host_header_on_an_api_path_is_a_json_400(key_holder, host):
    # Django refuses the Host before any view runs; its default answer is an HTML page.
    body = assert_error(key_holder.get("/api/api-keys", HTTP_HOST=host), 400, "VALIDATION_ERROR")
    assert "Host" in body["message"]


def test_a_malformed_host_header_on_altmount_s_route_answers_in_altmount_s_shape(key_holder):
    response = key_holder.post("/api/import/file", {}, format="json", HTTP_HOST="a b")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The Host header is not a valid host name"


def test_a_malformed_host_header_on_a_page_keeps_the_html_400(anonymous):
    response = anonymous.get("/web/login", HTTP_HOST="a b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


REFUSED_HOST = "django.security.DisallowedHost"


def refused_host_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == REFUSED_HOST]


@pytest.mark.parametrize("path", ["/api/api-keys", "/web/login"])
def test_a_malformed_host_header_logs_one_warning_line_without_a_traceback(anonymous, caplog, path):
    assert anonymous.get(path, HTTP_HOST="a b").status_code == 400
    [record] = refused_host_records(caplog)
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith("Invalid HTTP_HOST header: 'a b'.")
    assert record.exc_info is None and record.exc_text is None
    assert "Traceback" not in caplog.text


def test_a_refused_host_is_not_logged_when_the_level_is_error(anonymous, caplog):
    logging.getLogger("django").setLevel(logging.ERROR)  # restored by _log_levels_kept
    assert anonymous.get("/web/login", HTTP_HOST="a b").status_code == 400
    assert refused_host_records(caplog) == []


def test_a_csrf_failure_on_a_plain_django_api_view_is_a_json_403(admin_browser):
    # The SSE stream is a plain Django view: Django's CSRF check answers before it, not DRF's.
    response = admin_browser.post("/api/web/events/status")
    body = assert_error(response, 403, "AUTHORIZATION_ERROR")
    assert "CSRF" in body["message"]


def test_a_csrf_failure_under_a_url_base_is_still_a_json_403(admin_browser):
    # NOMARR_URL_BASE reaches Django as the script name: request.path starts with it.
    response = admin_browser.post("/api/web/events/status", SCRIPT_NAME="/nomarr")
    assert response.wsgi_request.path == "/nomarr/api/web/events/status"
    assert_error(response, 403, "AUTHORIZATION_ERROR")


def test_a_csrf_failure_on_a_page_keeps_django_s_page(admin_browser):
    response = admin_browser.post("/web/settings")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_permission_denied_from_a_plain_view_is_json_under_api_only(rf):
    import json

    from django.core.exceptions import PermissionDenied

    from nomarr_site.handlers import permission_denied

    response = permission_denied(rf.get("/api/x"), PermissionDenied("inner words"))
    body = json.loads(response.content)
    assert (response.status_code, set(body), body["error"]) == (403, FIELDS, "AUTHORIZATION_ERROR")
    page = permission_denied(rf.get("/web/x"), PermissionDenied())
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


def test_a_form_past_djangos_field_count_logs_one_warning_line(admin_browser, caplog):
    """Django answers 400 and used to log the client's mistake at ERROR with a traceback."""
    admin_browser.get("/web/settings")  # sets the CSRF cookie
    token = admin_browser.cookies["csrftoken"].value
    body = "&".join(f"f{i}=x" for i in range(1200))
    response = admin_browser.post(
        "/web/logout",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    [record] = [r for r in caplog.records if r.name == "django.security.TooManyFieldsSent"]
    assert record.levelname == "WARNING" and record.exc_info is None
    assert "Traceback" not in caplog.text
