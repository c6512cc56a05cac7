"""The one error format, for each status code the API uses."""

from __future__ import annotations

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
