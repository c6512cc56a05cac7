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
    assert "<code>nom models fetch</code>" in html


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
