"""GET /api/web/libraries/{id}/browse: the processing page's folder picker. It lists folders and
audio files inside one library, paginated, and never leads outside the library's root."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(tmp_path):
    """music/ with two artist folders, audio and non-audio files, hidden entries and links."""
    from library.models import Library

    root = tmp_path / "music"
    (root / "B Artist" / "Album").mkdir(parents=True)
    (root / "a artist").mkdir()
    (root / ".hidden").mkdir()
    (root / "01 Song.mp3").write_bytes(b"x" * 2048)
    (root / "02 Song.FLAC").write_bytes(b"y")
    (root / "cover.jpg").write_bytes(b"z")
    (root / ".01 Song.mp3.abc.nomarr-tmp").write_bytes(b"")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.mp3").write_bytes(b"s")
    os.symlink(outside, root / "escape")
    os.symlink(outside / "secret.mp3", root / "escape.mp3")
    os.symlink(root / "B Artist", root / "shortcut")  # stays inside: listed
    library = Library.objects.create(name="Music", root_path=str(root))
    other = tmp_path / "other"
    other.mkdir()
    other_library = Library.objects.create(name="Other", root_path=str(other))
    return {"root": root, "library": library, "outside": outside, "other": other_library}


def browse(client, library, **params):
    return client.get(f"/api/web/libraries/{library.pk}/browse", params)


def test_the_root_lists_folders_first_then_audio_files_by_name(admin_browser, tree):
    response = browse(admin_browser, tree["library"])
    assert response.status_code == 200
    body = response.json()
    assert body["path"] == str(tree["root"].resolve())
    assert body["parent"] is None
    names = [(entry["kind"], entry["name"]) for entry in body["results"]]
    assert names == [
        ("folder", "a artist"),
        ("folder", "B Artist"),
        ("folder", "shortcut"),
        ("file", "01 Song.mp3"),
        ("file", "02 Song.FLAC"),
    ]
    assert body["results"][3]["size"] == 2048
    assert body["count"] == 5 and body["truncated"] is False


def test_a_sub_folder_lists_its_entries_and_names_its_parent(admin_browser, tree):
    folder = tree["root"] / "B Artist"
    body = browse(admin_browser, tree["library"], path=str(folder)).json()
    assert body["parent"] == str(tree["root"].resolve())
    assert [entry["path"] for entry in body["results"]] == [str(folder / "Album")]


def test_the_listing_is_paginated(admin_browser, tree):
    body = browse(admin_browser, tree["library"], limit=2, offset=2).json()
    assert [entry["name"] for entry in body["results"]] == ["shortcut", "01 Song.mp3"]
    assert (body["count"], body["limit"], body["offset"]) == (5, 2, 2)


@pytest.mark.parametrize("limit", ["0", "-1", "many"])
def test_a_bad_limit_is_a_validation_error(admin_browser, tree, limit):
    response = browse(admin_browser, tree["library"], limit=limit)
    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"


def test_a_limit_over_the_maximum_is_capped_like_every_list(admin_browser, tree):
    from nomarr_site.pagination import MAX_LIMIT

    body = browse(admin_browser, tree["library"], limit=MAX_LIMIT + 1).json()
    assert body["limit"] == MAX_LIMIT and body["count"] == len(body["results"]) == 5


def test_dot_dot_cannot_climb_out_of_the_library(admin_browser, tree):
    response = browse(admin_browser, tree["library"], path=f"{tree['root']}/../outside")
    assert response.status_code == 403
    assert response.json()["error"] == "AUTHORIZATION_ERROR"


def test_a_symlink_that_leads_outside_is_refused_and_never_listed(admin_browser, tree):
    response = browse(admin_browser, tree["library"], path=str(tree["root"] / "escape"))
    assert response.status_code == 403
    assert "symlink" in response.json()["message"]


def test_a_folder_of_another_library_is_refused(admin_browser, tree):
    response = browse(admin_browser, tree["library"], path=tree["other"].root_path)
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["relative/folder", "/music/\x00nul"])
def test_a_malformed_path_is_refused(admin_browser, tree, path):
    assert browse(admin_browser, tree["library"], path=path).status_code == 400


def test_a_file_or_missing_folder_is_a_validation_error(admin_browser, tree):
    file_response = browse(admin_browser, tree["library"], path=str(tree["root"] / "01 Song.mp3"))
    assert file_response.status_code == 400
    assert "Not a folder" in file_response.json()["message"]
    missing = browse(admin_browser, tree["library"], path=str(tree["root"] / "nope"))
    assert missing.status_code == 400


def test_an_unknown_or_disabled_library_is_refused(admin_browser, tree):
    assert admin_browser.get("/api/web/libraries/98765/browse").status_code == 404
    tree["library"].is_enabled = False
    tree["library"].save()
    response = browse(admin_browser, tree["library"])
    assert response.status_code == 400
    assert "disabled" in response.json()["message"]


def test_anonymous_visitors_and_key_holders_cannot_browse(anonymous, key_holder, tree):
    assert browse(anonymous, tree["library"]).status_code == 401
    assert browse(key_holder, tree["library"]).status_code == 403


def test_undecodable_names_broken_links_and_loops_are_skipped(admin_browser, tree):
    folder = tree["root"] / "a artist"
    with open(os.fsencode(folder) + b"/\xff\xfe.mp3", "wb"):
        pass
    os.symlink(folder / "missing.mp3", folder / "broken.mp3")
    os.symlink(folder / "loop", folder / "loop")
    (folder / "ok.opus").write_bytes(b"o")
    body = browse(admin_browser, tree["library"], path=str(folder)).json()
    assert [entry["name"] for entry in body["results"]] == ["ok.opus"]


def test_files_a_scan_has_seen_carry_their_track_id(admin_browser, tree):
    from library.models import Track

    song = tree["root"] / "01 Song.mp3"
    track = Track.objects.create(
        library=tree["library"], path=str(song), relative_path=song.name, size=2048, mtime=1.0
    )
    results = browse(admin_browser, tree["library"]).json()["results"]
    by_name = {entry["name"]: entry["track_id"] for entry in results}
    assert by_name["01 Song.mp3"] == track.pk
    assert by_name["02 Song.FLAC"] is None
    assert by_name["a artist"] is None
