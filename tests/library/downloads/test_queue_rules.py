"""The rules behind the download queue: the one status table, the series' download source
template (and its PATCH), `queue_missing` for the scheduler, the `downloads_max_concurrent`
setting as the kind's limit, and the download events' names on the WebSocket and SSE."""

from __future__ import annotations

import pytest

from jobs import registry
from jobs.models import Job
from library.downloads import items, status, url_template
from library.models import DownloadItem
from nomarr_site import config
from nomarr_site.domain import Invalid
from nomarr_site.events import envelope, sender


@pytest.mark.parametrize(
    ("job_status", "queue_paused", "expected"),
    [
        (None, False, "pending"),
        (None, True, "paused"),
        ("pending", False, "pending"),
        ("pending", True, "paused"),
        ("running", False, "downloading"),
        ("running", True, "downloading"),
        ("done", True, "completed"),
        ("error", False, "failed"),
        ("cancelled", False, "cancelled"),
    ],
)
def test_the_item_status_comes_from_the_job_through_one_table(job_status, queue_paused, expected):
    assert status.item_status(job_status, queue_paused) == expected


def test_every_job_status_has_an_item_status_and_every_item_status_a_job_status():
    assert {status.item_status(s, False) for s in Job.Status.values} | {"paused"} == set(
        status.STATUSES
    )
    assert set(status.JOB_STATUSES) == set(status.STATUSES)


@pytest.mark.parametrize(
    ("template", "url"),
    [
        ("https://cdn.example/s{season:02d}/e{episode:02d}.mkv", "https://cdn.example/s01/e02.mkv"),
        ("http://host/{key}/{season}x{episode}.mp4", "http://host/frieren/1x2.mp4"),
    ],
)
def test_a_source_template_fills_in_per_episode(template, url):
    assert url_template.check_template(template) == template
    assert url_template.fill(template, 1, 2, "frieren") == url


@pytest.mark.parametrize(
    "template",
    [
        "ftp://host/{season}.mkv",
        "file:///etc/{episode}",
        "https:///no-host/{episode}",
        "https://host/{show}/{episode}",
        "https://host/{season:q}",
        "https://host/{season",
        "https://host/ {episode}",
        "https://host/" + "x" * 2000,
    ],
)
def test_a_bad_source_template_is_refused(template):
    with pytest.raises(Invalid):
        url_template.check_template(template)


def test_an_empty_template_means_no_source():
    assert url_template.check_template("  ") == ""


@pytest.mark.django_db
def test_the_series_page_api_sets_and_clears_the_download_source(token_holder, show):
    url = f"/api/web/series/{show.pk}"
    template = "https://cdn.example/frieren/{season}-{episode}.mkv"
    response = token_holder.patch(url, {"download_source": template}, format="json")
    assert response.status_code == 200 and response.json()["download_source"] == template
    refused = token_holder.patch(url, {"download_source": "ftp://x/{episode}"}, format="json")
    assert refused.status_code == 400
    assert token_holder.patch(url, {}, format="json").status_code == 400
    cleared = token_holder.patch(url, {"download_source": ""}, format="json")
    assert cleared.json()["download_source"] == ""
    assert (
        token_holder.patch(
            "/api/web/series/999999", {"download_source": ""}, format="json"
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_queue_missing_queues_each_missing_episode_once(show):
    result = items.queue_missing()
    assert len(result.added) == 2 and result.failed == []
    queued = sorted(DownloadItem.objects.values_list("season", "episode"))
    assert queued == [(1, 2), (1, 3)]
    assert items.queue_missing([show]).added == []  # already queued
    show.download_source = ""
    show.save()
    DownloadItem.objects.all().delete()
    assert items.queue_missing().added == []  # no source: skipped


@pytest.mark.django_db
def test_the_max_concurrent_setting_is_the_download_kinds_limit(monkeypatch):
    monkeypatch.delenv("NOMARR_CONCURRENCY_DOWNLOAD", raising=False)
    assert registry.concurrency_for("download") == 1
    config.set_value("downloads_max_concurrent", 4)
    assert registry.concurrency_for("download") == 4
    with pytest.raises(config.InvalidSetting):
        config.set_value("downloads_max_concurrent", 11)
    with pytest.raises(config.InvalidSetting):
        config.set_value("downloads_max_concurrent", 0)


@pytest.mark.django_db
def test_the_config_document_carries_max_concurrent(token_holder):
    assert token_holder.get("/api/config").json()["other"]["downloads_max_concurrent"] == 1
    body = {"other": {"downloads_max_concurrent": 3}}
    assert token_holder.put("/api/config", body, format="json").status_code == 200
    assert config.get("downloads_max_concurrent") == 3
    bad = token_holder.put(
        "/api/config", {"other": {"downloads_max_concurrent": 20}}, format="json"
    )
    assert bad.status_code in (400, 422)


def test_download_events_have_the_aniworld_websocket_names_in_the_downloads_room():
    names = {
        "download.progress": "download_progress",
        "download.added": "download_added",
        "download.removed": "download_removed",
        "download.complete": "download_complete",
        "download.failed": "download_failed",
        "download.queue_started": "queue_started",
        "download.queue_stopped": "queue_stopped",
        "download.queue_status": "queue_status",
    }
    for name, ws_name in names.items():
        assert sender.EVENTS[name].room == "downloads"
        assert envelope.ws_type(name) == ws_name
        assert envelope.sse_name(envelope.make(name, {})) == name.replace(".", ":")
        assert ws_name in sender.SUPPORTED_MESSAGE_TYPES
    with pytest.raises(ValueError, match="downloads"):
        sender.validate("queue", "download.progress")


@pytest.mark.django_db
def test_the_series_page_has_the_download_source_field_and_the_menu_the_downloads_page(
    admin_browser, show
):
    page = admin_browser.get(f"/web/series/{show.pk}").content.decode()
    assert 'name="download_source"' in page and show.download_source in page
    assert 'href="/web/downloads"' in page
    downloads = admin_browser.get("/web/downloads")
    assert downloads.status_code == 200
    assert 'data-status-url="/api/queue/status"' in downloads.content.decode()
