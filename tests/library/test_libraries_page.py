"""The libraries page: served to the logged-in admin with its script and API hooks."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_libraries_page_renders_for_the_admin_with_its_api_urls(admin_browser):
    response = admin_browser.get("/web/libraries")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-libraries-url="/api/web/libraries"' in html
    assert 'data-job-status-url="/api/web/queue/status/"' in html
    assert "js/libraries.js" in html
    assert 'aria-current="page"' in html  # the Libraries navigation entry is marked active


def test_the_libraries_page_sends_visitors_to_the_login_page(client):
    response = client.get("/web/libraries")
    assert response.status_code == 302
    assert response.url.startswith("/web/login")


def test_the_libraries_page_has_a_tracks_section_with_search_and_a_pager(admin_browser):
    html = admin_browser.get("/web/libraries").content.decode()
    assert 'aria-labelledby="tracks-title"' in html
    assert 'data-track-page-url="/web/tracks/"' in html
    assert "data-tracks-library" in html  # which library's tracks are shown
    assert 'type="search"' in html and "data-tracks-search" in html
    for column in ("Title", "Artist", "Album", "Format", "Duration", "Tagged", "Read error"):
        assert f"<th>{column}</th>" in html
    assert "data-tracks-prev" in html and "data-tracks-next" in html


def test_the_tracks_api_the_page_reads_pages_and_searches(admin_browser, tmp_path):
    from library.models import Library, Track

    library = Library.objects.create(name="Music", root_path=str(tmp_path))
    for number in range(3):
        Track.objects.create(
            library=library,
            path=str(tmp_path / f"{number}.flac"),
            relative_path=f"{number}.flac",
            size=1,
            mtime=1.0,
            title=f"Song {number}",
            artist="Needle" if number == 2 else "Hay",
        )
    url = f"/api/web/libraries/{library.id}/tracks"
    first = admin_browser.get(url, {"limit": 2, "offset": 0}).json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert (first["limit"], first["offset"]) == (2, 0)  # the one page envelope, no links
    assert {"id", "title", "artist", "album", "format", "duration"} <= set(first["results"][0])
    assert {"tagged_version", "read_error", "is_readable"} <= set(first["results"][0])
    found = admin_browser.get(url, {"search": "needle"}).json()
    assert [t["title"] for t in found["results"]] == ["Song 2"]
