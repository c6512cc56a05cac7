"""The series pages: the list (with its add dialog and the URLs its script reads) and one
series; both behind the login, and the web API behind them."""

from __future__ import annotations

import pytest

from library.models import Series
from library.series.scan import sync_folders

pytestmark = pytest.mark.django_db


def test_the_series_list_page_carries_its_urls_and_the_add_dialog(admin_browser):
    html = admin_browser.get("/web/series").content.decode()
    assert 'data-list-url="/api/web/series"' in html
    assert 'data-search-url="/api/anime/search"' in html
    assert "data-add-dialog" in html and "js/series.js" in html
    assert 'href="/web/series"' in html  # the menu item


def test_a_series_page_shows_the_series_and_its_urls(admin_browser, series_dir):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    html = admin_browser.get(f"/web/series/{titan.pk}").content.decode()
    assert "<h1>Attack on Titan</h1>" in html
    assert f'data-nfo-url="/api/nfo/{titan.key}"' in html
    assert admin_browser.get("/web/series/999999").status_code == 404


def test_the_pages_send_strangers_to_the_login(client, db):
    response = client.get("/web/series")
    assert response.status_code == 302 and "/web/login" in response["Location"]


def test_the_web_list_pages_searches_and_filters(admin_browser, series_dir, tmdb):
    from library.series.episodes import scan_series
    from media_meta.tmdb import TmdbClient

    sync_folders(series_dir)
    for series in Series.objects.all():
        scan_series(series, series_dir, TmdbClient.from_settings())
    body = admin_browser.get("/api/web/series").json()
    assert (body["count"], body["limit"], body["offset"]) == (2, 50, 0)
    assert body["tmdb_configured"] is True and body["directory"] == str(series_dir)
    titan = body["results"][0]
    assert (titan["name"], titan["present"], titan["missing"]) == ("Attack on Titan", 3, 2)

    def names(**query):
        listed = admin_browser.get("/api/web/series", query).json()["results"]
        return [s["name"] for s in listed]

    assert names(filter="missing") == ["Attack on Titan"]
    assert names(filter="complete") == ["Other Show"]
    assert names(search="other") == ["Other Show"]
    assert names(limit=1, offset=1) == ["Other Show"]
    assert admin_browser.get("/api/web/series", {"filter": "x"}).status_code == 400
    assert admin_browser.get("/api/web/series", {"search": "x" * 201}).status_code == 400


def test_the_web_detail_lists_episodes_by_season_and_the_nfo_state(admin_browser, series_dir, tmdb):
    from library.series.episodes import scan_series
    from media_meta.tmdb import TmdbClient

    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    scan_series(titan, series_dir, TmdbClient.from_settings())
    body = admin_browser.get(f"/api/web/series/{titan.pk}").json()
    assert [s["season"] for s in body["seasons"]] == [0, 1, 2]
    first = body["seasons"][1]["episodes"][0]
    assert first == {
        "number": 1, "code": "1-1", "title": "To You, in 2000 Years", "air_date": "2013-04-07",
        "present": True, "file": "Season 01/Attack on Titan - S01E01 - To You.mkv",
    }  # fmt: skip
    assert body["has_nfo"] is False and body["media_files"]["has_poster"] is False
    assert admin_browser.get(f"/api/web/series/{titan.pk}/poster").status_code == 404
    (series_dir / titan.folder / "poster.jpg").write_bytes(b"\xff\xd8\xffposter")
    poster = admin_browser.get(f"/api/web/series/{titan.pk}/poster")
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"
    assert admin_browser.get("/api/web/series/999999").status_code == 404


def test_a_link_that_is_not_a_web_address_is_shown_as_text(admin_browser, db):
    series = Series.objects.create(key="x", name="X", folder="X", link="javascript:alert(1)")
    html = admin_browser.get(f"/web/series/{series.pk}").content.decode()
    assert 'href="javascript' not in html


def test_a_tmdb_key_that_no_longer_opens_is_named_so_the_pages_ask_for_it_again(
    admin_browser, settings, series_dir
):
    from nomarr_site import config

    series = Series.objects.create(key="x", name="X", folder="X")
    assert admin_browser.get("/api/web/series").json()["tmdb_problem"] is None
    # Sealed under another SECRET_KEY (as after the key changed): this one cannot open it.
    current = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    config.set_value("tmdb_api_key", "tmdb-plain-key-123")
    settings.SECRET_KEY = current

    for url in ("/api/web/series", f"/api/web/series/{series.pk}"):
        body = admin_browser.get(url).json()
        assert body["tmdb_configured"] is False
        assert "enter the TMDB API key again" in body["tmdb_problem"]
