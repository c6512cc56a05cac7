"""The `inference_engine` and `inference_precision` settings: OpenVINO by default where it
imports, Essentia's engine otherwise, shown with the reason on the settings page, in
`nom models list` and in `/api/v1/info`, and used by the tag job."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from library.tagging import engine_settings
from library.tagging.cache import default_cache
from library.tagging.openvino_models import availability
from nomarr_site import config, setting_catalogue

needs_openvino = pytest.mark.skipif(not availability()[0], reason=availability()[1])


@pytest.fixture
def without_openvino(monkeypatch):
    gone = (False, "OpenVINO does not import here (ImportError: no module named 'openvino')")
    monkeypatch.setattr(engine_settings, "availability", lambda: gone)
    monkeypatch.setattr(setting_catalogue, "openvino_availability", lambda: gone)


@needs_openvino
def test_openvino_is_the_default_engine_where_it_imports(db):
    engine, reason = engine_settings.current()

    assert (engine.name, engine.precision, reason) == ("openvino", "exact", None)
    assert engine.threads >= 1


def test_without_openvino_the_default_is_essentia_and_the_reason_is_given(db, without_openvino):
    engine, reason = engine_settings.current()

    assert config.get("inference_engine") == "essentia"
    assert engine.name == "essentia"
    assert reason == "the inference_engine setting is essentia"


def test_asking_for_openvino_where_it_does_not_import_falls_back_saying_why(db, without_openvino):
    config.set_value("inference_engine", "openvino")

    report = engine_settings.status()

    assert report["engine"] == "essentia" and report["requested"] == "openvino"
    assert "OpenVINO does not import here" in report["reason"]
    assert "Essentia's engine runs instead" in report["reason"]


def test_threads_per_job_share_the_cores_between_the_tag_jobs(settings, monkeypatch):
    monkeypatch.setattr(engine_settings.os, "cpu_count", lambda: 8)
    settings.WORKERS = 4
    assert engine_settings.threads_per_job() == 2
    monkeypatch.setenv("NOMARR_CONCURRENCY_TAG", "1")
    assert engine_settings.threads_per_job() == 8


@needs_openvino
def test_info_reports_the_engine_in_use(anonymous, db):
    config.set_value("inference_precision", "fast")

    inference = anonymous.get("/api/v1/info").json()["inference"]

    assert inference["engine"] == "openvino" and inference["precision"] == "fast"
    assert inference["reason"] is None and inference["openvino"]


def test_info_gives_the_reason_when_openvino_is_not_used(anonymous, db):
    config.set_value("inference_engine", "essentia")

    inference = anonymous.get("/api/v1/info").json()["inference"]

    assert inference["engine"] == "essentia"
    assert inference["reason"] == "the inference_engine setting is essentia"


def test_the_settings_page_shows_the_engine_and_offers_both_settings(admin_browser, db):
    config.set_value("inference_engine", "essentia")

    html = admin_browser.get("/web/settings").content.decode()
    fields = {f["key"]: f for f in admin_browser.get("/api/config/fields").json()["fields"]}

    assert "Tagging inference: Essentia&#x27;s engine: the inference_engine setting" in html
    assert fields["inference_engine"]["choices"] == ["openvino", "essentia"]
    assert fields["inference_precision"]["choices"] == ["exact", "fast"]
    assert fields["inference_engine"]["path"] == "other.inference_engine"


def put_config(client, body: dict):
    return client.put("/api/config", json.dumps(body), content_type="application/json")


def test_a_bad_engine_or_precision_is_refused_naming_the_field(token_holder):
    for body in ({"inference_engine": "tensorrt"}, {"inference_precision": "int4"}):
        answer = put_config(token_holder, {"other": body})

        assert answer.status_code == 400
        assert f"other.{next(iter(body))}" in answer.json()["details"]["fields"]


def test_the_engine_can_be_changed_through_the_config_document(token_holder):
    body = {"other": {"inference_engine": "essentia", "inference_precision": "fast"}}
    answer = put_config(token_holder, body)

    assert answer.status_code == 200
    assert answer.json()["other"]["inference_engine"] == "essentia"
    assert config.get("inference_precision") == "fast"


def test_models_list_says_which_engine_runs(db, models_dir):
    config.set_value("inference_engine", "essentia")
    out = StringIO()

    call_command("models", "list", "--dir", str(models_dir), stdout=out)

    assert "Inference: Essentia's engine: the inference_engine setting is essentia" in (
        out.getvalue()
    )


@needs_openvino
def test_a_tag_job_runs_on_openvino_when_it_is_the_engine(music, run_jobs):
    from library.tagging.requests import queue_paths

    default_cache.clear()
    queue_paths([str(music["files"]["flac"])], force=True)
    run_jobs()

    assert any(key[0] == "openvino" for key in default_cache._items)
