"""The success-body rule (README, "Success bodies"): our own operations answer
{"success": true, "message": ..., ...}; our own resources answer the object itself."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def assert_operation(response) -> dict:
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_queueing_picked_paths_is_an_operation_body(token_holder, tmp_path):
    response = token_holder.post(
        "/api/web/processing/process-files", {"paths": [str(tmp_path / "x.mp3")]}, format="json"
    )
    body = assert_operation(response)
    assert body["queued"] == 0 and body["refused"][0]["path"] == str(tmp_path / "x.mp3")


def test_lidarr_webhook_answers_an_operation_body(key_holder):
    response = key_holder.post("/api/v1/webhooks/lidarr", {"eventType": "Test"}, format="json")
    assert assert_operation(response)["event_type"] == "Test"


def test_deleting_a_library_is_an_operation_body(token_holder, tmp_path):
    from library.models import Library

    library = Library.objects.create(name="Music", root_path=str(tmp_path))
    response = token_holder.delete(f"/api/web/libraries/{library.pk}?confirm=true")
    assert assert_operation(response)["tracks_removed"] == 0


def test_an_own_resource_answers_the_object_itself(token_holder, tmp_path):
    from library.models import Library

    library = Library.objects.create(name="Music", root_path=str(tmp_path))
    body = token_holder.get(f"/api/web/libraries/{library.pk}").json()
    assert body["id"] == library.pk and "success" not in body
