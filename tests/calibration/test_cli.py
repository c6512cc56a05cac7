"""`nom calibration generate|apply|status|export|import`, and sidecars that are refused with
their name and reason."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from calibration.models import Calibration, HeadStats
from calibration.sidecars import InvalidSidecar, parse_sidecar
from tests.calibration.conftest import store_scores, uniform

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(library):
    happy = uniform(101)
    store_scores(library, {"mood_happy": {"happy": happy, "non_happy": [1 - v for v in happy]}})


def out(*args):
    buffer = StringIO()
    call_command("calibration", *args, stdout=buffer)
    return buffer.getvalue()


def test_generate_then_status_shows_the_run_in_effect(scored):
    assert "Calibration 1: 1 heads from 101 tracks, 1 changed" in out("generate")

    text = out("status")

    assert "in effect: cal=1" in text and "v1 " in text
    assert "queue: 0 pending" in text


def test_generate_below_the_minimum_is_one_line_error(library):
    with pytest.raises(CommandError, match="at least 100 tracks"):
        out("generate")


def test_generate_queue_queues_a_job(scored):
    assert "Queued calibration job" in out("generate", "--queue")


def test_export_then_import_round_trips_the_calibration(scored, tmp_path):
    out("generate")

    written = out("export", str(tmp_path)).split()
    assert [p.rsplit("/", 1)[1] for p in written] == ["mood_happy-calibration.json"]
    assert "Imported calibration 2 (1 heads)" in out("import", *written)

    first, second = HeadStats.objects.filter(label="happy").order_by("calibration__version")
    assert (second.p5, second.p95, second.histogram) == (first.p5, first.p95, first.histogram)
    assert second.is_reference


def test_a_malformed_sidecar_is_refused_with_its_name_and_reason(scored, tmp_path):
    bad = tmp_path / "mood_happy-calibration.json"
    bad.write_text(json.dumps({"format": "nomarr-calibration", "format_version": 9}))

    with pytest.raises(CommandError, match="mood_happy-calibration.json: format version 9"):
        out("import", str(bad))
    assert not Calibration.objects.exists()


def sidecar(**changes):
    body = {
        "format": "nomarr-calibration",
        "format_version": 1,
        "head": "mood_happy",
        "calibration_version": 1,
        "classes": {
            label: {"min": 0.1, "max": 0.9, "samples": 10, "median": 0.5, "iqr": 0.4}
            for label in ("happy", "non_happy")
        },
    }
    body.update(changes)
    return json.dumps(body)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{nope", "not JSON"),
        ("[]", "not a Nomarr calibration sidecar"),
        (sidecar(head="../x"), "'head' must be a head name"),
        (sidecar(head="mood_sad"), "no track has scores of head 'mood_sad'"),
        (sidecar(calibration_version=0), "calibration_version must be a whole number"),
        (sidecar(classes={}), "'classes' must name at least one class"),
        (
            sidecar(
                classes={"happy": {"min": 0.1, "max": 0.9, "samples": 3, "median": 0.5, "iqr": 0.1}}
            ),
            "do not match the head's",
        ),
        (
            sidecar(
                classes={
                    "happy": {"min": 0.9, "max": 0.1, "samples": 3, "median": 0.5, "iqr": 0.1},
                    "non_happy": {},
                }
            ),
            "min above max",
        ),
        (sidecar(classes={"happy": "x", "non_happy": {}}), "class 'happy' must be an object"),
    ],
)
def test_sidecar_validation_names_the_file_and_the_reason(scored, text, reason):
    with pytest.raises(InvalidSidecar) as refused:
        parse_sidecar("s.json", text)

    assert refused.value.message.startswith("s.json: ")
    assert reason in refused.value.message
