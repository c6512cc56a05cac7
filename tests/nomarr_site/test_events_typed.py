"""One job shape on the wire and one name per event: a `queue.jobs` event carries the job object
the API lists, every event is typed (mypy refuses data of the wrong shape), and each event's
WebSocket type and SSE name follow from its name by the documented rule."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import get_type_hints

import pytest
from django.utils import timezone
from mypy import api as mypy_api

from jobs.models import Job
from jobs.serializers import JobSerializer, job_json
from jobs.services import events as job_events
from nomarr_site.events import envelope, sender
from nomarr_site.events.envelope import JobData
from nomarr_site.models import OutboxEvent

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sent(monkeypatch):
    """The (room, type, data) of each event sent, as the transports would carry it."""
    calls: list[tuple[str, str, dict]] = []

    def record(room: str, event_type: str, data: dict) -> None:
        calls.append((room, event_type, envelope.make(event_type, data)["data"]))

    monkeypatch.setattr(sender, "emit", record)
    return calls


@pytest.mark.django_db
def test_a_job_event_carries_the_job_object_the_list_endpoint_returns(sent):
    job = Job.objects.create(
        kind="noop",
        path="/music/a.flac",
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
        progress_fraction=0.25,
        progress_message="1 of 4",
        progress_counters={"done": 1},
    )
    job_events.emit_job(job)
    assert sent == [("queue", "queue.jobs", job_json(job))]
    assert sent[0][2]["progress"]["fraction"] == 0.25


@pytest.mark.django_db(transaction=True)
def test_a_job_event_reaches_the_outbox_as_the_api_shows_the_job(token_holder):
    job = Job.objects.create(kind="noop", path="/music/b.flac", error_message="broken")
    job_events.emit_job(job)
    row = OutboxEvent.objects.get()
    assert row.envelope["type"] == "queue.jobs"
    assert row.envelope["data"] == job_json(job)
    detail = token_holder.get(f"/api/web/queue/status/{job.pk}").json()
    assert {key: detail[key] for key in row.envelope["data"]} == row.envelope["data"]


def test_the_job_type_names_every_field_the_serializer_returns():
    typed = get_type_hints(JobData)
    assert set(JobSerializer.Meta.fields) <= set(typed)
    # `subject` is optional in the type until the serializer returns it (the generic subject).
    assert set(typed) - set(JobSerializer.Meta.fields) <= {"subject"}


def test_every_event_is_named_by_the_one_rule():
    for name, event in sender.EVENTS.items():
        area, _, rest = name.partition(".")
        assert area and rest and event.name == name
        expected_ws = envelope.WS_TYPE_EXCEPTIONS.get(name, f"{area}_{rest}")
        assert envelope.ws_type(name) == expected_ws
        if name != envelope.PER_COMPONENT_SSE:
            assert envelope.sse_name(envelope.make(name, {})) == f"{area}:{rest}"
    # The names the API reference fixes come out of the rule.
    assert {envelope.sse_name(envelope.make(name, {})) for name in sender.EVENTS} >= {
        "queue:status",
        "queue:jobs",
        "system:health",
    }


def test_mypy_refuses_an_event_sent_with_data_of_the_wrong_shape(tmp_path):
    snippet = tmp_path / "wrong_event.py"
    snippet.write_text(
        textwrap.dedent(
            """
            from nomarr_site.events.sender import QUEUE_STATUS, SYSTEM_HEALTH

            SYSTEM_HEALTH.send({"status": "healthy", "errors": []})
            SYSTEM_HEALTH.send({"status": "healthy", "problems": []})
            QUEUE_STATUS.send({"pending": "many"})
            """
        )
    )
    out, err, status = mypy_api.run(
        ["--config-file", str(REPO / "pyproject.toml"), "--no-error-summary", str(snippet)]
    )
    errors = [line for line in out.splitlines() if "error:" in line]
    assert status == 1, out + err
    assert {line.split(":")[1] for line in errors} == {"5", "6"}, out
    assert any('"problems"' in line for line in errors), out
