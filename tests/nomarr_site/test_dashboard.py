"""The dashboard: served to the logged-in admin with its cards (queue counts, workers, library
statistics, models, system) and the API hooks its script reads."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_dashboard_renders_every_card_for_the_admin(admin_browser):
    response = admin_browser.get("/web/dashboard")
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Queue", "Workers", "Library", "Models", "System"):
        assert f">{title}" in html
    for key in ("pending", "running", "completed", "errors"):
        assert f'data-count="{key}"' in html
    for key in ("total_files", "unique_artists", "unique_albums", "total_duration_seconds"):
        assert f'data-stat="{key}"' in html
    assert "data-models-status" in html and "data-worker-state" in html
    assert 'aria-current="page"' in html  # the Dashboard navigation entry is marked active


def test_the_dashboard_names_the_api_urls_its_script_reads(admin_browser):
    html = admin_browser.get("/web/dashboard").content.decode()
    assert 'data-depth-url="/api/web/queue/queue-depth"' in html
    assert 'data-workers-url="/api/web/worker/status"' in html
    assert 'data-stats-url="/api/web/libraries/stats"' in html
    assert 'data-info-url="/api/v1/info"' in html
    assert 'data-poll-ms="5000"' in html
    assert 'data-events-url="/api/web/events/status?rooms=queue"' in html
    # The page is an ES module; it imports events.js (the one event client) itself.
    assert re.search(r'<script type="module" src="[^"]*js/dashboard\.js"', html)


def test_the_dashboard_links_to_the_queue_libraries_and_settings_pages(admin_browser):
    html = admin_browser.get("/web/dashboard").content.decode()
    content = html[html.index('id="content"') :]
    for url in ('href="/web/queue"', 'href="/web/libraries"', 'href="/web/settings"'):
        assert url in content


def test_the_dashboard_tells_how_to_fetch_missing_models(admin_browser):
    html = admin_browser.get("/web/dashboard").content.decode()
    assert "data-models-hint" in html
    assert "<code>.venv/bin/nom models fetch</code>" in html  # works as written


def test_the_apis_the_dashboard_reads_answer_the_admins_session(admin_browser):
    depth = admin_browser.get("/api/web/queue/queue-depth").json()
    assert set(depth) == {"pending", "running", "completed", "errors"}
    workers = admin_browser.get("/api/web/worker/status").json()
    assert {"status", "alive", "paused", "clusters", "details"} <= set(workers)
    stats = admin_browser.get("/api/web/libraries/stats").json()
    assert {"total_files", "unique_artists", "unique_albums", "total_duration_seconds"} <= set(
        stats
    )
    models = admin_browser.get("/api/v1/info").json()["models"]
    assert {"status", "directory", "embeddings", "heads", "problems"} <= set(models)


def test_the_dashboard_sends_visitors_to_the_login_page(client, admin_user):
    response = client.get("/web/dashboard")
    assert response.status_code == 302
    assert response.url.startswith("/web/login")


def steps_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="(\w+)" data-done="(true|false)"', html))


def test_get_started_ticks_off_each_step_and_links_the_open_ones(admin_browser, tmp_path):
    from library.models import Library, Track
    from nomarr_site import config
    from nomarr_site.models import ApiKey
    from tests.support.graphs import write_standard_suite

    config.set_value("models_dir", str(tmp_path))  # an empty folder: no models yet
    html = admin_browser.get("/web/dashboard").content.decode()
    assert steps_of(html) == {
        "library": "false", "models": "false", "tagged": "false", "api_key": "false",
    }  # fmt: skip
    assert "0 of 4 done" in html
    # The models first: a library's first scan queues tagging only once they are in place.
    assert list(steps_of(html)) == ["models", "library", "tagged", "api_key"]
    steps = html[html.index("data-steps") :]
    for link in ("/web/libraries", "/web/settings#configuration", "/web/process"):
        assert f'href="{link}"' in steps
    assert f".venv/bin/nom models fetch (into {tmp_path})" in steps

    library = Library.objects.create(name="Music", root_path=str(tmp_path / "music"))
    write_standard_suite(tmp_path)
    Track.objects.create(
        library=library, path=f"{library.root_path}/a.mp3", relative_path="a.mp3", size=1,
        mtime=0, tagged_version="p1-abc;cal=none",
    )  # fmt: skip
    ApiKey.create_key("Lidarr", scope="tag")
    html = admin_browser.get("/web/dashboard").content.decode()
    assert set(steps_of(html).values()) == {"true"}
    assert "4 of 4 done" in html
