"""Who may call the library web API and the legacy scan, and creating libraries: the root
is resolved and a bad, unreadable, system or data-dir root is refused with a clear error."""

from __future__ import annotations

import os

import pytest

from library.models import Library
from tests.library.api.conftest import LIBRARY_FIELDS, error_of

pytestmark = pytest.mark.django_db


# Who may call


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/web/libraries"),
        ("post", "/api/web/libraries"),
        ("get", "/api/web/libraries/stats"),
        ("get", "/api/web/libraries/1"),
        ("patch", "/api/web/libraries/1"),
        ("delete", "/api/web/libraries/1"),
        ("post", "/api/web/libraries/1/scan"),
        ("get", "/api/web/libraries/1/tracks"),
        ("get", "/api/web/tracks/1"),
    ],
)
def test_web_endpoints_refuse_anonymous_and_api_keys(anonymous, key_holder, method, url):
    assert getattr(anonymous, method)(url, {}, format="json").status_code == 401
    assert getattr(key_holder, method)(url, {}, format="json").status_code == 403


def test_the_legacy_scan_refuses_anonymous_and_session_tokens(anonymous, token_holder):
    assert anonymous.post("/api/v1/scan", {"library_id": 1}, format="json").status_code == 401
    assert token_holder.post("/api/v1/scan", {"library_id": 1}, format="json").status_code == 403


# List and create


def test_libraries_are_listed_as_a_bare_list_ordered_by_name(token_holder, music, roots):
    Library.objects.create(name="Audiobooks", root_path=str(roots / "other"), is_enabled=False)
    response = token_holder.get("/api/web/libraries")
    assert response.status_code == 200
    body = response.json()
    assert [lib["name"] for lib in body] == ["Audiobooks", "Music"]
    assert set(body[0]) == LIBRARY_FIELDS
    enabled = token_holder.get("/api/web/libraries?enabled_only=true").json()
    assert [lib["name"] for lib in enabled] == ["Music"]


def test_enabled_only_must_be_a_boolean(token_holder):
    response = token_holder.get("/api/web/libraries?enabled_only=maybe")
    assert response.status_code == 400
    assert "enabled_only" in error_of(response)["message"]


def test_a_library_is_created_with_its_root_resolved(token_holder, roots):
    response = token_holder.post(
        "/api/web/libraries",
        {"name": " Music ", "root_path": str(roots / "music" / ".." / "music"), "kind": "music"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == LIBRARY_FIELDS
    assert body["name"] == "Music"
    assert body["root_path"] == str(roots / "music")
    assert body["is_default"] is True  # the first library becomes the default


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"root_path": "/music"}, "name"),
        ({"name": "x"}, "root_path"),
        ({"name": "   ", "root_path": "/music"}, "name"),
        ({"name": "x", "root_path": "/music", "kind": "video"}, "kind"),
        ({"name": "x" * 201, "root_path": "/music"}, "name"),
        ({"name": "x", "root_path": "/music", "is_enabled": "perhaps"}, "is_enabled"),
    ],
)
def test_create_validation_errors_name_the_field(token_holder, payload, field):
    response = token_holder.post("/api/web/libraries", payload, format="json")
    assert response.status_code == 400
    assert field in error_of(response)["details"]["fields"]


@pytest.mark.parametrize(
    ("root", "status", "message"),
    [
        ("{roots}/missing", 400, "Folder not found"),
        ("{roots}/music/Album/a.mp3", 400, "Not a folder"),
        ("relative/path", 400, "absolute"),
        ("{roots}/music", 409, "already uses this folder"),
        ("{roots}/music/Album", 409, "lies inside the root"),
        ("{roots}", 409, "contains the root"),
    ],
)
def test_bad_roots_are_refused(token_holder, music, roots, root, status, message):
    payload = {"name": "New", "root_path": root.format(roots=roots)}
    response = token_holder.post("/api/web/libraries", payload, format="json")
    assert response.status_code == status
    body = error_of(response)
    assert message in body["message"]
    assert body["details"]["fields"]["root_path"] == [body["message"]]


def test_an_unreadable_root_is_refused(token_holder, roots, monkeypatch):
    from library import paths

    monkeypatch.setattr(paths.os, "access", lambda path, mode: False)
    payload = {"name": "New", "root_path": str(roots / "other")}
    response = token_holder.post("/api/web/libraries", payload, format="json")
    assert response.status_code == 400
    assert "not readable" in error_of(response)["message"]


@pytest.mark.parametrize("root", ["/", "/etc", "/proc", "/sys", "/dev", "/usr", "/bin", "/boot"])
@pytest.mark.parametrize("method", ["post", "patch"])
def test_system_folders_are_refused_as_roots_on_create_and_update(
    token_holder, music, root, method
):
    Library.objects.exclude(pk=music.pk).delete()
    if method == "post":
        music.delete()  # alone, `/` clashes with no other root: only the system check refuses it
        response = token_holder.post(
            "/api/web/libraries", {"name": "New", "root_path": root}, format="json"
        )
    else:
        response = token_holder.patch(
            f"/api/web/libraries/{music.id}", {"root_path": root}, format="json"
        )
    assert response.status_code == 400
    body = error_of(response)
    assert body["error"] == "VALIDATION_ERROR"
    assert "system folder" in body["message"]
    assert body["details"]["fields"]["root_path"] == [body["message"]]
    assert Library.objects.filter(root_path=root).count() == 0


def test_folders_inside_system_trees_are_refused_but_music_under_var_is_not(token_holder, tmp_path):
    response = token_holder.post(
        "/api/web/libraries", {"name": "Etc", "root_path": "/etc/ssl"}, format="json"
    )
    assert response.status_code == 400
    assert "system folder (/etc)" in error_of(response)["message"]
    from nomarr_site.system_folders import SYSTEM_FOLDERS, SYSTEM_TREES

    assert "/var" in SYSTEM_FOLDERS and "/var" not in SYSTEM_TREES  # /var/lib/mpd/music is fine


def test_a_symlink_to_a_system_folder_is_refused(token_holder, roots):
    link = roots / "sneaky"
    os.symlink("/etc", link)
    response = token_holder.post(
        "/api/web/libraries", {"name": "Sneaky", "root_path": str(link)}, format="json"
    )
    assert response.status_code == 400
    assert "system folder (/etc)" in error_of(response)["message"]
    assert not Library.objects.exists()


@pytest.mark.parametrize("where", ["itself", "inside", "symlink"])
def test_the_data_dir_and_anything_inside_it_are_refused(token_holder, settings, roots, where):
    data_dir = roots / "data"
    (data_dir / "models").mkdir(parents=True)
    settings.DATA_DIR = data_dir
    target = {"itself": data_dir, "inside": data_dir / "models", "symlink": roots / "link"}[where]
    if where == "symlink":
        os.symlink(data_dir / "models", target)
    response = token_holder.post(
        "/api/web/libraries", {"name": "Data", "root_path": str(target)}, format="json"
    )
    assert response.status_code == 400
    assert "data folder" in error_of(response)["message"]


def test_a_patch_to_a_good_root_still_passes(token_holder, music, roots):
    response = token_holder.patch(
        f"/api/web/libraries/{music.id}", {"root_path": str(roots / "other")}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["root_path"] == str(roots / "other")
