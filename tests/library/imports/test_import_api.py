"""`POST /api/import/file` as AltMount's reference fixes it: 200 with `{"data": {"queue_id",
"message"}, "meta": null}`, and every error of the route, the authentication layer's 401
included, as `{"error": {"message", "details"}}` with its status code."""

from __future__ import annotations

import json
import os
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection
from rest_framework.test import APIClient

from jobs.models import Job
from library.imports import intake
from library.imports.api import views as import_api
from library.models import ImportItem
from nomarr_site import config
from nomarr_site.models import ApiKey, AppSetting
from tests.library.imports.conftest import NZB, write
from tests.library.imports.test_nzb import large_nzb
from tests.nomarr_site.test_body_limit import Client, application, scope

pytestmark = pytest.mark.django_db

URL = "/api/import/file"


@pytest.fixture
def client(api_key) -> APIClient:
    """A script holding a full API key, sent as `?apikey=` (AltMount's way)."""
    caller = APIClient()
    caller.key = api_key.clear
    return caller


def post(client: APIClient, body, key: str | None = "default", **extra):
    key = client.key if key == "default" else key
    url = URL if key is None else f"{URL}?apikey={key}"
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


def altmount_error(response, status: int) -> dict:
    """The AltMount error body, exactly: one `error` with a text `message` and `details`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], str) and body["error"]["details"]
    return body["error"]


def test_a_file_in_an_import_folder_is_queued_with_altmounts_answer(client, incoming, music):
    song = write(incoming / "Artist" / "song.mp3")
    response = post(client, {"file_path": str(song)})
    assert response.status_code == 200
    body = response.json()
    item = ImportItem.objects.get()
    assert body == {
        "data": {
            "queue_id": item.pk,
            "message": f"File successfully added to import queue with ID {item.pk}",
        },
        "meta": None,
    }
    assert (item.kind, item.status, item.resolved_path) == ("audio", "pending", str(song))
    assert item.job.kind == "import" and item.job.status == Job.Status.PENDING
    assert str(item.job.subject) == f"library.import:{item.pk}"


def test_relative_path_is_kept_on_the_item(client, incoming, music):
    song = write(incoming / "Artist" / "Album" / "01.flac")
    response = post(client, {"file_path": str(song), "relative_path": str(incoming)})
    assert response.status_code == 200
    assert ImportItem.objects.get().relative_path == str(incoming)


@pytest.mark.parametrize(
    "key, message",
    [
        (None, "Authentication required"),
        ("", "Authentication required"),
        ("not-a-key-0123456789", "Invalid API key"),
    ],
)
def test_a_missing_or_wrong_key_is_the_auth_layers_401_in_altmounts_shape(
    client, incoming, key, message
):
    song = write(incoming / "song.mp3")
    response = post(client, {"file_path": str(song)}, key=key)
    error = altmount_error(response, 401)
    assert error["message"] == message
    assert error["details"].startswith("AUTHENTICATION_ERROR (request ")
    assert response["X-Request-ID"] in error["details"]
    assert not ImportItem.objects.exists()


def test_the_key_may_also_come_as_a_header(client, incoming, music):
    song = write(incoming / "song.mp3")
    response = post(client, {"file_path": str(song)}, key=None, HTTP_X_API_KEY=client.key)
    assert response.status_code == 200


def test_a_tag_scope_key_or_a_login_token_is_refused_in_altmounts_shape(
    client, token_holder, incoming, music
):
    song = write(incoming / "song.mp3")
    _, tag_key = ApiKey.create_key("lidarr", scope=ApiKey.Scope.TAG)
    assert (
        "scope"
        in altmount_error(post(client, {"file_path": str(song)}, key=tag_key), 403)["message"]
    )
    response = token_holder.post(URL, {"file_path": str(song)}, format="json")
    assert "does not accept a session token" in altmount_error(response, 403)["message"]


@pytest.mark.parametrize(
    "body, words",
    [
        ({}, "file_path is required"),
        ({"file_path": None}, "file_path is required"),
        ({"file_path": ""}, "file_path is required"),
        ({"file_path": 42}, "file_path must be a string"),
        ({"file_path": ["/a"]}, "file_path must be a string"),
        ({"file_path": "/in/\x00.mp3"}, "NUL byte"),
        ({"file_path": "/" + "a" * 5000}, "longer than 4096"),
        ({"file_path": "relative/song.mp3"}, "must be an absolute path"),
        ({"file_path": "/x.mp3", "relative_path": 7}, "relative_path must be a string"),
        (["/x.mp3"], "must be a JSON object"),
        ("not json", "JSON parse error"),
        ("[" * 200 + "]" * 200, "nested deeper"),
    ],
)
def test_bad_requests_are_400s_in_altmounts_shape(client, incoming, body, words):
    assert words in altmount_error(post(client, body), 400)["message"]


def test_a_directory_is_refused_as_not_a_regular_file(client, incoming):
    folder = incoming / "Album"
    folder.mkdir()
    error = altmount_error(post(client, {"file_path": str(folder)}), 400)
    assert "must be a regular file (not a directory)" in error["message"]
    assert error["details"].startswith(f"file_path: {folder} (request ")


def test_without_import_folders_imports_are_refused_saying_what_to_set(client, tmp_path):
    song = write(tmp_path / "song.mp3")
    error = altmount_error(post(client, {"file_path": str(song)}), 400)
    assert "imports.roots" in error["message"]


def test_an_unsupported_type_or_a_missing_destination_is_a_400(client, incoming):
    text = write(incoming / "notes.txt")
    assert (
        "Unsupported file type"
        in altmount_error(post(client, {"file_path": str(text)}), 400)["message"]
    )
    song = write(incoming / "song.mp3")
    assert (
        "No enabled music library"
        in altmount_error(post(client, {"file_path": str(song)}), 400)["message"]
    )
    video = write(incoming / "Show.S01E02.mkv")
    assert "series" in altmount_error(post(client, {"file_path": str(video)}), 400)["message"]
    nzb = write(incoming / "release.nzb", NZB)
    assert "No NZB client" in altmount_error(post(client, {"file_path": str(nzb)}), 400)["message"]


def test_a_malformed_nzb_is_refused_at_once(client, incoming, sabnzbd):
    bad = write(incoming / "bad.nzb", b"<nzb></nzb>")
    assert (
        "lists no <file>" in altmount_error(post(client, {"file_path": str(bad)}), 400)["message"]
    )


def test_queuing_a_large_nzb_checks_it_without_holding_it_whole_in_the_web_process(
    incoming, sabnzbd
):
    nzb = write(incoming / "large.nzb", large_nzb(2500))
    assert nzb.stat().st_size > 4 * 1024 * 1024
    tracemalloc.start()
    try:
        item = intake.request_import(str(nzb))  # what the view calls
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert item.kind == ImportItem.Kind.NZB and item.job_id is not None
    assert peak < 1024 * 1024


def test_a_large_nzb_broken_deep_inside_is_refused_at_once(client, incoming, sabnzbd):
    nzb = write(incoming / "large.nzb", large_nzb(2500, broken=2400))
    error = altmount_error(post(client, {"file_path": str(nzb)}), 400)
    assert "File 2400 of the NZB names no newsgroup" in error["message"]


def test_relative_path_must_lie_above_the_file(client, incoming, music):
    song = write(incoming / "song.mp3")
    body = {"file_path": str(song), "relative_path": "/elsewhere"}
    assert (
        "relative_path must be a folder above" in altmount_error(post(client, body), 400)["message"]
    )


def test_paths_outside_the_import_folders_are_403s(client, incoming, tmp_path, music):
    outside = write(tmp_path / "outside" / "song.mp3")
    assert (
        "outside every import folder"
        in altmount_error(post(client, {"file_path": str(outside)}), 403)["message"]
    )
    sneaky = f"{incoming}/../outside/song.mp3"
    altmount_error(post(client, {"file_path": sneaky}), 403)
    link = incoming / "link.mp3"
    os.symlink(outside, link)
    assert (
        "through a symlink"
        in altmount_error(post(client, {"file_path": str(link)}), 403)["message"]
    )
    # Outside the roots, a missing file is not told apart from an existing one.
    altmount_error(post(client, {"file_path": str(tmp_path / "outside" / "gone.mp3")}), 403)


def test_a_missing_file_is_a_404(client, incoming):
    error = altmount_error(post(client, {"file_path": str(incoming / "gone.mp3")}), 404)
    assert "File does not exist" in error["message"]


def test_the_same_resolved_file_while_pending_is_a_409(client, incoming, music):
    song = write(incoming / "Album" / "song.mp3")
    first = post(client, {"file_path": str(song)}).json()["data"]["queue_id"]
    again = altmount_error(post(client, {"file_path": str(song)}), 409)
    assert "already in the import queue" in again["message"]
    assert f"queue_id: {first}" in again["details"]
    os.symlink(song, incoming / "alias.mp3")
    for other in (f"{incoming}/Album/../Album/song.mp3", str(incoming / "alias.mp3")):
        altmount_error(post(client, {"file_path": other}), 409)
    assert ImportItem.objects.count() == 1


def test_a_file_can_be_queued_again_once_its_import_ended(client, incoming, music):
    song = write(incoming / "song.mp3")
    post(client, {"file_path": str(song)})
    item = ImportItem.objects.get()
    Job.objects.filter(pk=item.job_id).update(status=Job.Status.CANCELLED)
    assert post(client, {"file_path": str(song)}).status_code == 200
    item.refresh_from_db()
    assert item.status == ImportItem.Status.CANCELLED
    assert ImportItem.objects.active().count() == 1


def test_other_methods_and_media_types_answer_in_altmounts_shape(client, incoming):
    altmount_error(client.get(f"{URL}?apikey={client.key}"), 405)
    response = client.post(f"{URL}?apikey={client.key}", {"file_path": "/x"}, format="multipart")
    altmount_error(response, 415)


def test_a_server_error_is_altmounts_500(client, incoming, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire at /secret/place")

    monkeypatch.setattr(import_api.intake, "request_import", broken)
    client.raise_request_exception = False
    error = altmount_error(post(client, {"file_path": str(incoming / "a.mp3")}), 500)
    assert error["message"] == "Server error during processing"
    assert "/secret/place" not in json.dumps(error)


def test_a_body_over_the_limit_is_a_413_in_altmounts_shape(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    altmount_error(post(client, {"file_path": "/" + "a" * 200}), 413)


def test_the_asgi_body_limit_answers_this_route_in_altmounts_shape():
    oversized = [(b"content-length", str(300 * 1024 * 1024).encode())]
    caller = Client([b"x"])
    caller.call(application(), scope(URL, oversized))
    assert caller.status == 413
    assert set(caller.json()) == {"error"}
    caller = Client([b"x"])
    caller.call(application(), scope("/api/web/auth/login", oversized))
    assert caller.json()["error"] == "PAYLOAD_TOO_LARGE"  # other routes keep Nomarr's shape


def test_other_routes_keep_nomarrs_error_shape(client):
    response = client.get("/api/anime")
    assert response.status_code == 401
    assert response.json()["error"] == "AUTHENTICATION_ERROR"


def test_secrets_of_the_downloaders_are_stored_sealed_and_never_shown(admin_browser, db):
    config.set_value("sabnzbd_api_key", "abcdef0123456789")
    config.set_value("nzbget_password", "pass word")
    stored = AppSetting.objects.get(key="sabnzbd_api_key").value
    assert "abcdef0123456789" not in json.dumps(stored)
    assert config.get("sabnzbd_api_key") == "abcdef0123456789"
    assert config.get("nzbget_password") == "pass word"
    document = admin_browser.get("/api/config").json()
    assert document["imports"]["sabnzbd_api_key_set"] is True
    assert "sabnzbd_api_key" not in document["imports"]
    assert "abcdef0123456789" not in json.dumps(document)
    assert "pass word" not in json.dumps(admin_browser.get("/api/web/config").json())


@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_file_at_once_queue_it_once(incoming, music, monkeypatch):
    """The race the constraint settles: both requests pass the checks, one item is created."""
    song = write(incoming / "song.mp3")
    barrier = Barrier(2)
    real_check = intake._check_destination

    def checked_then_wait(kind, path):
        real_check(kind, path)
        barrier.wait(timeout=10)  # both requests are past the checks before either inserts

    def attempt(_n: int) -> str:
        try:
            intake.request_import(str(song))
            return "queued"
        except intake.AlreadyQueued:
            return "conflict"
        finally:
            connection.close()

    monkeypatch.setattr(intake, "_check_destination", checked_then_wait)
    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(attempt, range(2)))
    assert outcomes == ["conflict", "queued"]
    assert ImportItem.objects.count() == 1 and Job.objects.filter(kind="import").count() == 1
