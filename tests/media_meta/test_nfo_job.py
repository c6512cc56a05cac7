"""The `nfo_batch` job: queued from the web API for the series without an NFO, it creates
their NFOs one after another with progress, skipping those that have one."""

from __future__ import annotations

import pytest

from jobs.models import Job
from jobs.transport import work_one
from library.models import Series
from library.series.scan import sync_folders
from media_meta.jobs import queue_nfo_batch
from nomarr_site import config

pytestmark = pytest.mark.django_db

TITAN = "Attack on Titan (2013) [tmdbid-1429]"


@pytest.fixture
def library(tmp_path, db):
    root = tmp_path / "series"
    for folder in (TITAN, "Quiet Show", "Nowhere"):
        (root / folder).mkdir(parents=True)
    config.set_value("series_directory", str(root))
    sync_folders(root)
    return root


def test_the_job_creates_nfos_skips_existing_ones_and_reports_failures(library, tmdb):
    (library / "Quiet Show" / "tvshow.nfo").write_text("<tvshow/>")
    job = queue_nfo_batch(["attack-on-titan", "quiet-show", "nowhere"], download_media=False)
    work_one()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    assert (job.result["created"], job.result["skipped"], job.result["failed"]) == (1, 1, 1)
    assert job.result["problems"] == [
        {"key": "nowhere", "reason": "TMDB has no TV show matching 'Nowhere'"}
    ]
    assert (library / TITAN / "tvshow.nfo").is_file()
    assert job.progress_fraction == 1.0


def test_a_batch_about_one_series_names_it_as_its_subject(library):
    job = queue_nfo_batch(["attack-on-titan"])
    titan = Series.objects.get(key="attack-on-titan")
    assert str(job.subject) == f"library.series:{titan.pk}"
    assert queue_nfo_batch(["attack-on-titan"]).pk == job.pk


def test_the_job_fails_clearly_without_a_tmdb_key(library):
    job = queue_nfo_batch(["attack-on-titan"])
    work_one()
    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert "TMDB API key is not configured" in job.error_message


def test_the_web_api_queues_the_series_without_an_nfo(admin_browser, library, tmdb):
    (library / TITAN / "tvshow.nfo").write_text("<tvshow/>")
    token = admin_browser.get("/web/series").cookies["csrftoken"].value
    response = admin_browser.post(
        "/api/web/nfo/queue", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    body = response.json()
    assert response.status_code == 200, body
    assert (body["success"], body["count"]) == (True, 2)
    job = Job.objects.get(pk=body["job_id"])
    assert job.kind == "nfo_batch" and job.payload["serie_ids"] == ["nowhere", "quiet-show"]


def test_the_web_api_needs_a_tmdb_key(token_holder, library):
    response = token_holder.post("/api/web/nfo/queue", {}, format="json")
    assert response.status_code == 503
