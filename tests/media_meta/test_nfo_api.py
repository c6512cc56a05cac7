"""The NFO API in Aniworld's shapes, against the loopback TMDB: check, create (409 unless
overwriting), update (404 without an NFO), content, media status and download, batch
creation (skipped items counted apart) and the series missing an NFO."""

from __future__ import annotations

import pytest

from library.models import Series
from library.series.scan import sync_folders
from nomarr_site import config
from tests.support.tmdb import V3_KEY

pytestmark = pytest.mark.django_db

TITAN = "Attack on Titan (2013) [tmdbid-1429]"
NO_MEDIA = {
    "has_poster": False, "has_logo": False, "has_fanart": False,
    "poster_path": None, "logo_path": None, "fanart_path": None,
}  # fmt: skip


@pytest.fixture
def library(tmp_path, db, settings):
    from django.core.cache import cache

    from tests.library.series.conftest import touch

    root = tmp_path / "series"
    touch(root, f"{TITAN}/Season 01/S01E01.mkv", "Quiet/E01.mkv", "Nowhere Show/1x01.mkv")
    config.set_value("series_directory", str(root))
    sync_folders(root)
    cache.clear()
    return root


def post(client, url, body=None):
    return client.post(url, body or {}, format="json")


def test_check_needs_a_tmdb_key_even_though_it_only_looks(token_holder, library):
    response = token_holder.get("/api/nfo/attack-on-titan/check")
    assert response.status_code == 503
    assert "TMDB API key is not configured" in response.json()["message"]


def test_a_tmdb_key_that_no_longer_opens_is_503_asking_for_it_and_tmdb_is_not_called(
    token_holder, library, tmdb, settings
):
    settings.SECRET_KEY = "another-secret-key-" + "z" * 40
    response = token_holder.get("/api/nfo/attack-on-titan/check")
    assert response.status_code == 503
    assert "enter the TMDB API key again" in response.json()["message"]
    assert tmdb.api_requests() == []


def test_check_reports_no_nfo_and_no_media_at_first(token_holder, library, tmdb):
    assert token_holder.get("/api/nfo/attack-on-titan/check").json() == {
        "serie_id": "attack-on-titan",
        "serie_folder": TITAN,
        "has_nfo": False,
        "nfo_path": None,
        "media_files": NO_MEDIA,
    }


def test_create_writes_the_nfo_and_downloads_the_artwork(token_holder, library, tmdb):
    response = post(token_holder, "/api/nfo/attack-on-titan/create")
    assert response.status_code == 200, response.json()
    folder = library / TITAN
    assert response.json() == {
        "serie_id": "attack-on-titan",
        "serie_folder": TITAN,
        "nfo_path": str(folder / "tvshow.nfo"),
        "media_files": {
            "has_poster": True,
            "has_logo": True,
            "has_fanart": True,
            "poster_path": str(folder / "poster.jpg"),
            "logo_path": str(folder / "logo.png"),
            "fanart_path": str(folder / "fanart.jpg"),
        },  # fmt: skip
        "message": "NFO and media files created successfully",
    }
    assert (folder / "logo.png").read_bytes().startswith(b"\x89PNG")
    images = [r for r in tmdb.requests if r["path"].startswith("/t/p/")]
    assert {r["path"] for r in images} == {
        "/t/p/original/poster1429.jpg", "/t/p/original/logo1429.png",
        "/t/p/original/backdrop1429.jpg",
    }  # fmt: skip
    assert all("api_key" not in r["query"] for r in images)
    assert all(V3_KEY not in str(r["headers"]) for r in images)


def test_a_second_create_is_409_unless_it_overwrites(token_holder, library, tmdb):
    post(token_holder, "/api/nfo/attack-on-titan/create")
    again = post(token_holder, "/api/nfo/attack-on-titan/create")
    assert again.status_code == 409 and again.json()["error"] == "CONFLICT_ERROR"
    body = {"overwrite_existing": True, "download_logo": False}
    assert post(token_holder, "/api/nfo/attack-on-titan/create", body).status_code == 200


def test_create_finds_an_unlinked_series_on_tmdb_by_name_and_remembers_it(
    token_holder, library, tmdb
):
    response = post(token_holder, "/api/nfo/quiet/create", {"serie_name": "quiet show"})
    assert response.status_code == 200
    assert response.json()["media_files"] == NO_MEDIA  # TMDB has no images of it
    assert Series.objects.get(key="quiet").tmdb_id == 777


def test_create_for_a_show_tmdb_cannot_find_is_404(token_holder, library, tmdb):
    response = post(token_holder, "/api/nfo/nowhere-show/create")
    assert response.status_code == 404
    assert "Nowhere Show" in response.json()["message"]


@pytest.mark.parametrize(
    "body", [{"year": "soon"}, {"download_poster": "maybe"}, {"year": 99999}, ["x"]]
)
def test_a_bad_create_body_is_422(token_holder, library, tmdb, body):
    response = token_holder.post("/api/nfo/attack-on-titan/create", body, format="json")
    assert response.status_code == 422


def test_an_unknown_series_is_404(token_holder, library, tmdb):
    for url in ("/api/nfo/nope/check", "/api/nfo/nope/content", "/api/nfo/nope/media/status"):
        assert token_holder.get(url).status_code == 404
    assert post(token_holder, "/api/nfo/nope/create").status_code == 404


def test_update_needs_an_existing_nfo(token_holder, library, tmdb):
    response = token_holder.put("/api/nfo/attack-on-titan/update")
    assert response.status_code == 404
    assert "use the create endpoint" in response.json()["message"]


def test_update_refreshes_the_nfo_and_keeps_unknown_elements(token_holder, library, tmdb):
    nfo_file = library / TITAN / "tvshow.nfo"
    nfo_file.write_text('<tvshow><uniqueid type="tmdb">1429</uniqueid><tag>mine</tag></tvshow>')
    response = token_holder.put("/api/nfo/attack-on-titan/update?download_media=false")
    assert response.status_code == 200
    assert response.json()["message"] == "NFO updated successfully"
    assert response.json()["media_files"] == NO_MEDIA
    text = nfo_file.read_text()
    assert "<tag>mine</tag>" in text and "<title>Attack on Titan</title>" in text


def test_update_refuses_a_malicious_nfo_with_422(token_holder, library, tmdb):
    nfo_file = library / TITAN / "tvshow.nfo"
    nfo_file.write_text('<!DOCTYPE x [<!ENTITY a "b">]><tvshow><title>&a;</title></tvshow>')
    response = token_holder.put("/api/nfo/attack-on-titan/update")
    assert response.status_code == 422
    assert "DTD or entities" in response.json()["message"]


def test_update_with_a_bad_download_media_value_is_422(token_holder, library, tmdb):
    response = token_holder.put("/api/nfo/attack-on-titan/update?download_media=maybe")
    assert response.status_code == 422


def test_content_returns_the_xml_with_its_size_and_time(token_holder, library, tmdb):
    assert token_holder.get("/api/nfo/attack-on-titan/content").status_code == 404
    post(token_holder, "/api/nfo/attack-on-titan/create")
    body = token_holder.get("/api/nfo/attack-on-titan/content").json()
    assert body["content"].startswith('<?xml version="1.0" encoding="UTF-8"')
    assert body["file_size"] == (library / TITAN / "tvshow.nfo").stat().st_size
    assert body["last_modified"].endswith("Z")
    assert (body["serie_id"], body["serie_folder"]) == ("attack-on-titan", TITAN)


def test_media_status_needs_no_tmdb_key(token_holder, library):
    (library / TITAN / "poster.jpg").write_bytes(b"x")
    body = token_holder.get("/api/nfo/attack-on-titan/media/status").json()
    assert body["has_poster"] is True and body["has_logo"] is False


def test_media_download_needs_the_nfo_then_fetches_what_is_asked(token_holder, library, tmdb):
    url = "/api/nfo/attack-on-titan/media/download"
    assert post(token_holder, url).status_code == 404
    post(token_holder, "/api/nfo/attack-on-titan/create", {"download_poster": False})
    assert not (library / TITAN / "poster.jpg").exists()
    body = post(token_holder, url, {"download_logo": False, "download_fanart": False}).json()
    assert body["has_poster"] is True


def test_batch_create_counts_successes_failures_and_skips(token_holder, library, tmdb):
    post(token_holder, "/api/nfo/attack-on-titan/create")
    body = {"serie_ids": ["attack-on-titan", "quiet", "nowhere-show", "ghost"],
            "skip_existing": True, "download_media": False, "max_concurrent": 2}  # fmt: skip
    config.set_value("tmdb_api_key", V3_KEY)
    Series.objects.filter(key="quiet").update(tmdb_id=777)
    response = post(token_holder, "/api/nfo/batch/create", body)
    assert response.status_code == 200
    result = response.json()
    assert (result["total"], result["successful"], result["failed"], result["skipped"]) == (
        4, 1, 2, 1,
    )  # fmt: skip
    by_id = {r["serie_id"]: r for r in result["results"]}
    assert by_id["attack-on-titan"] == {
        "serie_id": "attack-on-titan", "serie_folder": TITAN, "success": False,
        "message": "Skipped - NFO already exists", "nfo_path": None,
    }  # fmt: skip
    assert by_id["quiet"]["success"] is True
    assert by_id["quiet"]["nfo_path"] == str(library / "Quiet" / "tvshow.nfo")
    assert by_id["ghost"]["message"] == "Series not found"


@pytest.mark.parametrize(
    "body",
    [{"serie_ids": ["a"], "max_concurrent": 0}, {"serie_ids": ["a"], "max_concurrent": 11},
     {"serie_ids": "a"}, {}],
)  # fmt: skip
def test_a_bad_batch_request_is_422(token_holder, library, tmdb, body):
    assert post(token_holder, "/api/nfo/batch/create", body).status_code == 422


def test_batch_and_missing_need_a_tmdb_key(token_holder, library):
    assert post(token_holder, "/api/nfo/batch/create", {"serie_ids": []}).status_code == 503
    assert token_holder.get("/api/nfo/missing").status_code == 503


def test_missing_lists_the_series_without_an_nfo(token_holder, library, tmdb):
    post(token_holder, "/api/nfo/attack-on-titan/create")
    (library / "Quiet" / "fanart.jpg").write_bytes(b"x")
    body = token_holder.get("/api/nfo/missing").json()
    assert (body["total_series"], body["missing_nfo_count"]) == (3, 2)
    quiet = next(s for s in body["series"] if s["serie_id"] == "quiet")
    assert quiet["serie_name"] == "Quiet" and quiet["has_media"] is True
    assert quiet["media_files"]["has_fanart"] is True


def test_the_nfo_endpoints_refuse_anonymous_visitors(anonymous, library):
    assert anonymous.get("/api/nfo/attack-on-titan/check").status_code == 401
    assert anonymous.get("/api/nfo/missing").status_code == 401


def test_a_folder_nomarr_cannot_write_is_503_with_the_reason(
    token_holder, library, tmdb, monkeypatch
):
    from media_meta import nfo

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(nfo, "atomic_write", refuse)
    response = post(token_holder, "/api/nfo/attack-on-titan/create")
    assert response.status_code == 503
    assert "Permission denied" in response.json()["message"]
