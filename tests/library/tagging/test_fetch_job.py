"""Fetching a model set from the web UI: `POST /api/web/models/fetch` queues one
`models_fetch` job that downloads into the models folder with progress per file, resumes a
download a stop cut short, and says clearly when it cannot."""

from __future__ import annotations

import pytest

from jobs.models import Job
from library.tagging import model_sets
from tests.support.model_server import JSON, PB, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def models_folder(tmp_path, settings, server, monkeypatch):
    from nomarr_site import config

    folder = tmp_path / "models"
    folder.mkdir()
    config.set_value("models_dir", str(folder))
    settings.MODELS_URL = url(server)
    monkeypatch.setitem(model_sets.MODEL_SETS, "default", [PB, JSON])
    return folder


def run_jobs(limit: int = 10) -> None:
    from jobs.transport import work_one

    for _ in range(limit):
        if not work_one():
            return


def test_a_model_set_is_fetched_by_a_job_with_progress_per_file(
    token_holder,
    models_folder,
    server,
):
    answer = token_holder.post("/api/web/models/fetch", {"model_set": "default"}, format="json")
    assert answer.status_code == 202
    job_id = answer.json()["job_id"]
    # Asking again while it waits is the same job.
    again = token_holder.post("/api/web/models/fetch", {}, format="json").json()
    assert again["job_id"] == job_id
    run_jobs()
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.DONE, job.error_message
    assert (models_folder / "fe" / "net.pb").read_bytes() == server.files["fe/net.pb"]
    assert job.result["downloaded"] == ["fe/net.json", "fe/net.pb"]
    counters = job.progress_counters
    assert counters["files"] == 2 and counters["file_number"] == 2
    assert counters["file"] == "net.pb" and counters["file_bytes"] == counters["file_total"] > 0


def test_a_download_cut_short_is_resumed_by_the_next_fetch(
    token_holder,
    models_folder,
    server,
):
    server.cut_after = 100  # the first response stops after 100 bytes
    token_holder.post("/api/web/models/fetch", {}, format="json")
    run_jobs()
    failed = Job.objects.get(kind="models_fetch")
    assert failed.status == Job.Status.ERROR
    assert failed.error_message.startswith("Fetching the models stopped: ")
    token_holder.post("/api/web/models/fetch", {}, format="json")
    run_jobs()
    done = Job.objects.filter(kind="models_fetch").latest("id")
    assert done.status == Job.Status.DONE, done.error_message
    assert any(r.startswith("bytes=") for r in server.ranges)  # picked up where it stopped


def test_an_unknown_set_or_a_bad_body_is_a_400_naming_the_field(token_holder, models_folder):
    answer = token_holder.post("/api/web/models/fetch", {"model_set": "nope"}, format="json")
    assert answer.status_code == 400
    assert "model_set" in answer.json()["details"]["fields"]
    assert not Job.objects.filter(kind="models_fetch").exists()


def test_only_the_admins_session_may_fetch_models(anonymous, key_holder):
    assert anonymous.post("/api/web/models/fetch", {}, format="json").status_code == 401
    assert key_holder.post("/api/web/models/fetch", {}, format="json").status_code == 403
