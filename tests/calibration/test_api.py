"""The calibration endpoints with the reference's shapes: generate (synchronous, or queued),
the 409 below the minimum, apply, status, clear and the run history."""

from __future__ import annotations

import json

import pytest

from calibration.models import Calibration
from calibration.recalibrate_job import queue_pages
from jobs.models import Job
from nomarr_site import config
from tests.calibration.conftest import store_scores, uniform
from tests.support.graphs import write_standard_suite

pytestmark = pytest.mark.django_db


def moods(n=101):
    happy = uniform(n)
    return {
        "mood_happy": {"happy": happy, "non_happy": [1 - v for v in happy]},
        "genre_x": {"a": uniform(n, 0, 0.5), "b": uniform(n, 0.1, 0.9), "c": uniform(n)},
    }


def test_generate_answers_per_head_the_positive_class_range_and_the_classes(token_holder, library):
    store_scores(library, moods())

    response = token_holder.post("/api/web/calibration/generate", {}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "success" and body["version"] == 1 and body["saved_files"] == []
    happy = body["data"]["mood_happy"]
    assert happy["min"] == pytest.approx(0.05) and happy["max"] == pytest.approx(0.95)
    assert happy["samples"] == 101 and happy["label"] == "happy"
    assert set(happy["classes"]) == {"happy", "non_happy"}
    assert happy["drift"] == {"happy": None, "non_happy": None}
    genre = body["data"]["genre_x"]
    assert genre["label"] is None
    assert genre["min"] == pytest.approx(0.025) and genre["max"] == pytest.approx(0.95)


def test_generate_below_the_minimum_is_a_409_saying_what_is_there_and_needed(token_holder, library):
    store_scores(library, moods(30))

    response = token_holder.post("/api/web/calibration/generate", {}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert "at least 100 tracks" in body["message"] and "has 30" in body["message"]
    assert body["details"]["tracks"] == 30 and body["details"]["needed"] == 100
    assert not Calibration.objects.exists()


def test_generate_in_the_background_queues_the_calibrate_job(token_holder, library):
    response = token_holder.post(
        "/api/web/calibration/generate", {"background": True}, format="json"
    )

    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.kind == "calibrate" and job.payload == {"save_sidecars": False}
    again = token_holder.post(
        "/api/web/calibration/generate", {"background": True, "save_sidecars": True}, format="json"
    )
    assert again.json()["job_id"] == job.pk  # one run at a time


def test_generate_rejects_a_malformed_flag(token_holder, library):
    response = token_holder.post(
        "/api/web/calibration/generate", {"save_sidecars": "maybe"}, format="json"
    )

    assert response.status_code == 400
    assert "save_sidecars" in json.dumps(response.json())


def test_generate_saves_sidecars_beside_each_head_never_over_essentias_json(
    token_holder, library, tmp_path
):
    models = write_standard_suite(tmp_path / "models")
    config.set_value("models_dir", str(models))
    store_scores(library, moods())
    essentia_json = next(models.rglob("mood_happy-*.json"))
    original = essentia_json.read_bytes()

    response = token_holder.post(
        "/api/web/calibration/generate", {"save_sidecars": True}, format="json"
    )

    saved = response.json()["saved_files"]
    assert sorted(p.rsplit("/", 1)[1] for p in saved) == [
        "mood_happy-calibration-v1.json",
        "mood_happy-calibration.json",
    ]
    assert all(p.startswith(str(essentia_json.parent)) for p in saved)
    assert essentia_json.read_bytes() == original


def test_apply_status_and_clear_speak_the_reference_shapes(token_holder, library):
    tracks = store_scores(library, moods())
    for track in tracks[:3]:
        track.tagged_version = "p1-abc;cal=none"
        track.save()
    token_holder.post("/api/web/calibration/generate", {}, format="json")

    applied = token_holder.post("/api/web/calibration/apply")
    queue_pages(lambda _queued: None)  # what the recalibrate_all job does
    state = token_holder.get("/api/web/calibration/status")
    cleared = token_holder.post("/api/web/calibration/clear")

    body = applied.json()
    assert body["queued"] == 3 and body["message"] == "Queued 3 files for recalibration"
    assert Job.objects.get(pk=body["job_id"]).kind == "recalibrate_all"
    assert state.json() == {
        "pending": 3,
        "running": 0,
        "completed": 0,
        "errors": 0,
        "worker_alive": False,
        "worker_busy": False,
    }
    assert cleared.json() == {"cleared": 3, "message": "Cleared 3 calibration jobs"}


def test_the_history_lists_runs_newest_first_with_each_heads_figures(token_holder, library):
    store_scores(library, moods())
    for _ in range(3):
        token_holder.post("/api/web/calibration/generate", {}, format="json")

    response = token_holder.get("/api/web/calibration/history?limit=2")

    body = response.json()
    assert body["count"] == 3 and body["limit"] == 2
    assert [run["version"] for run in body["results"]] == [3, 2]
    assert body["results"][0]["drift"]["mood_happy"]["stable"] is True
    assert body["results"][0]["drift"]["mood_happy"]["classes"]["happy"]["js"] == 0
    assert token_holder.get("/api/web/calibration/history?limit=x").status_code == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/web/calibration/status"),
        ("post", "/api/web/calibration/generate"),
        ("post", "/api/web/calibration/apply"),
        ("post", "/api/web/calibration/clear"),
        ("get", "/api/web/calibration/history"),
    ],
)
def test_calibration_endpoints_need_a_login(anonymous, key_holder, method, path):
    assert getattr(anonymous, method)(path).status_code == 401
    assert getattr(key_holder, method)(path).status_code == 403
