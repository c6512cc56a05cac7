"""The queue knows no app: `jobs` imports no feature app, a job names a registered subject,
kinds register their payload, dedup key and subject, and the queue list filters by subject."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from jobs import registry
from jobs.models import Job
from jobs.runner import JobRunner
from jobs.services.enqueue import enqueue
from jobs.subjects import Subject

JOBS = Path(__file__).resolve().parents[2] / "jobs"
FEATURE_APPS = {"library", "calibration", "invitations", "media_meta"}


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module an import names, wherever it stands (function bodies, TYPE_CHECKING)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_jobs_app_imports_no_feature_app():
    offenders = []
    for path in sorted(JOBS.glob("**/*.py")):
        for module in imported_modules(ast.parse(path.read_text())):
            if module.split(".")[0] in FEATURE_APPS:
                offenders.append(f"{path.relative_to(JOBS.parent)}: {module}")
    assert offenders == []


def test_the_import_check_sees_local_and_type_checking_imports():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from library.models import Track\n"
        "def f():\n    import calibration.models\n"
    )
    assert {"library.models", "calibration.models"} <= imported_modules(ast.parse(source))


def test_jobs_migrations_do_not_depend_on_library_on_a_fresh_database():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    plan = graph.forwards_plan(("jobs", "0003_job_subject"))
    assert all(app == "jobs" for app, _name in plan), plan


@pytest.mark.django_db(transaction=True)
def test_migrating_an_existing_database_keeps_each_jobs_link():
    executor = MigrationExecutor(connection)
    before = [("jobs", "0001_squashed_0002_job_track"), ("library", "0002_tracks_and_scores")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    library = old.get_model("library", "Library").objects.create(name="M", root_path="/m")
    track = old.get_model("library", "Track").objects.create(
        library=library, path="/m/a.flac", relative_path="a.flac", size=1, mtime=1.0
    )
    OldJob = old.get_model("jobs", "Job")
    tag = OldJob.objects.create(
        kind="tag",
        payload={"track_id": track.pk},
        path="/m/a.flac",
        track_id=track.pk,
        library_id=library.pk,
    )
    scan = OldJob.objects.create(
        kind="scan", payload={"library_id": library.pk}, library_id=library.pk
    )
    plain = OldJob.objects.create(kind="noop")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    tag, scan, plain = (Job.objects.get(pk=job.pk) for job in (tag, scan, plain))
    assert str(tag.subject) == f"library.track:{track.pk}"
    assert tag.payload == {"path": "/m/a.flac"}  # the one tag payload
    assert str(scan.subject) == f"library.library:{library.pk}"
    assert plain.subject is None


def test_a_subject_is_written_type_colon_id():
    assert str(Subject.parse("library.track:42")) == "library.track:42"
    for bad in ("library.track", "library.track:x", "library.track:0", "nope.thing:1", ":1"):
        with pytest.raises(ValueError):
            Subject.parse(bad)


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"subject": "library.track:7"}, {"track_id": "7"}])
def test_the_queue_list_filters_by_subject_and_keeps_track_id_as_an_alias(token_holder, query):
    mine = enqueue("noop", subject=Subject("library.track", 7))
    enqueue("noop", subject=Subject("library.track", 8))
    enqueue("noop", subject=Subject("library.library", 7))
    body = token_holder.get("/api/web/queue/list", query).json()
    assert [job["id"] for job in body["jobs"]] == [mine.pk]
    assert body["jobs"][0]["subject"] == "library.track:7"
    assert (body["jobs"][0]["track_id"], body["jobs"][0]["library_id"]) == (7, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"subject": "library.track"},
        {"subject": "nope.thing:1"},
        {"subject": "library.track:-1"},
        {"subject": "library.track:1", "track_id": "1"},
    ],
)
def test_a_bad_subject_filter_is_a_400(token_holder, query):
    response = token_holder.get("/api/web/queue/list", query)
    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"


class PayloadKind(JobRunner):
    def run(self):
        return None


@pytest.fixture
def keyed_kind():
    from typing import TypedDict

    class Payload(TypedDict):
        name: str

    registry.register(
        "keyed",
        payload=Payload,
        dedup_key=lambda p: f"keyed:{p['name']}",
        subject=lambda p: Subject("library.library", len(p["name"])),
    )(PayloadKind)
    yield
    registry.unregister("keyed")


@pytest.mark.django_db
def test_a_kind_derives_its_dedup_key_and_subject_from_its_payload(keyed_kind):
    first = enqueue("keyed", payload={"name": "abc"})
    assert (first.dedup_key, str(first.subject)) == ("keyed:abc", "library.library:3")
    assert enqueue("keyed", payload={"name": "abc"}).pk == first.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"payload": {}}, "missing"),
        ({"payload": {"name": "a", "extra": 1}}, "unknown"),
        ({"payload": {"name": "a"}, "dedup_key": "mine"}, "derives its own dedup key"),
    ],
)
def test_a_kind_refuses_another_payload_or_key(keyed_kind, kwargs, message):
    with pytest.raises(ValueError, match=message):
        enqueue("keyed", **kwargs)
    assert not Job.objects.exists()
