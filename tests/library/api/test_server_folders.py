"""GET /api/web/folders: the folder picker lists the server's folders (never files) to the
admin's session only, by name, paginated, with clear errors for bad paths."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(tmp_path):
    for name in ("b Music", "A Films", ".hidden", "ümlaut"):
        (tmp_path / name).mkdir()
    (tmp_path / "song.mp3").write_bytes(b"x")
    return tmp_path


def test_the_subfolders_are_listed_by_name_without_files_or_hidden_ones(token_holder, tree):
    body = token_holder.get("/api/web/folders", {"path": str(tree)}).json()
    assert [f["name"] for f in body["results"]] == ["A Films", "b Music", "ümlaut"]
    assert body["results"][0]["path"] == str(tree / "A Films")
    assert (body["path"], body["parent"], body["count"], body["truncated"]) == (
        str(tree), str(tree.parent), 3, False,
    )  # fmt: skip


def test_the_listing_pages_like_every_list_and_starts_at_the_root(token_holder, tree):
    page = token_holder.get("/api/web/folders", {"path": str(tree), "limit": 2, "offset": 2})
    assert [f["name"] for f in page.json()["results"]] == ["ümlaut"]
    top = token_holder.get("/api/web/folders").json()
    assert top["path"] == "/" and top["parent"] is None
    assert "/tmp" in [f["path"] for f in top["results"]]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("music", 400, "path must be an absolute folder path"),
        ("/no/such/folder", 404, "No folder /no/such/folder on the server"),
        ("/" + "x" * 5000, 400, "cannot be read"),
    ],
)
def test_bad_paths_get_a_clear_error_naming_the_field(token_holder, path, status, message):
    response = token_holder.get("/api/web/folders", {"path": path})
    assert response.status_code == status
    assert message in response.json()["message"]
    assert "path" in response.json()["details"]["fields"]


def test_a_file_and_an_unreadable_folder_are_refused(token_holder, tree, monkeypatch):
    assert token_holder.get("/api/web/folders", {"path": str(tree / "song.mp3")}).status_code == 400
    locked = tree / "locked"
    locked.mkdir(mode=0)
    if os.access(locked, os.R_OK):  # root reads every folder: refuse as the kernel would
        real_scandir = os.scandir

        def scandir(path):
            if str(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr("library.server_folders.os.scandir", scandir)
    response = token_holder.get("/api/web/folders", {"path": str(locked)})
    assert response.status_code == 403
    assert response.json()["message"].startswith(f"Nomarr's user may not read {locked}")
    locked.chmod(0o700)


def test_only_the_admins_session_may_list_folders(anonymous, key_holder, tree):
    assert anonymous.get("/api/web/folders", {"path": str(tree)}).status_code == 401
    assert key_holder.get("/api/web/folders", {"path": str(tree)}).status_code == 403
