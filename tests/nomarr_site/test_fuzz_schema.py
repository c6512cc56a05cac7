"""Fuzzing every operation of the OpenAPI schema: no input, however nested, huge or out of
range, gets an answer of 500 or more.

Schemathesis generates requests from `/api/schema` (valid ones, and ones that break the
schema); each is sent through Django's test client with the credential the operation accepts
(an admin session token or a full API key), and again with its numbers pushed past any
database range and its strings made huge. Hand-written bodies add deep nesting and an
oversized body. A bounded number of examples per operation keeps the run near a minute.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core import NOT_SET
from schemathesis.generation import GenerationMode

# Committed transactions: a database error in one request must not poison the next ones.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

EXAMPLES_PER_MODE = 6
HUGE_INT = 10**30
HUGE_TEXT = "x" * 100_000
# Hand-written hostile bodies, sent to every operation that takes a body.
HOSTILE_BODIES = [
    "[" * 5000 + "]" * 5000,
    '{"a":' * 5000 + "1" + "}" * 5000,
    json.dumps({"job_ids": [HUGE_INT], "library_id": HUGE_INT, "hours": HUGE_INT}),
    json.dumps([HUGE_INT, -HUGE_INT, 1e308, "x"]),
    "9" * 5000,
    '"' + "\\u0000" * 1000 + '"',
    "x" * (2 * 1024 * 1024),  # over the body limit
]
HOSTILE_QUERIES = [
    {"limit": str(HUGE_INT), "offset": str(HUGE_INT)},
    {"offset": "-" + str(HUGE_INT), "limit": "1e400"},
    {"library_id": str(HUGE_INT), "track_id": str(HUGE_INT), "hours": str(HUGE_INT)},
    {"path": "/" + "a/" * 3000, "name": HUGE_TEXT[:5000], "search": HUGE_TEXT[:5000]},
]
PARAMETER = re.compile(r"\{[^}]*\}")
HOSTILE_PATH_VALUES = [str(HUGE_INT), "-1", "0", "%00", "..", "x" * 2000]


@dataclass
class World:
    """Both credentials and the ids of existing rows, renewed before each operation: logout
    revokes the token, DELETE /api/api-keys/{id} a key, failed logins lock the client out, and
    the destructive operations remove what the next one would reach."""

    headers: dict[str, dict[str, str]]
    path_ids: dict[str, Any]


@pytest.fixture
def renew(transactional_db, settings, tmp_path, admin_user, tmdb_server):
    from datetime import timedelta

    from django.core.cache import cache

    from jobs.models import Job
    from library.downloads.download_job import queue_download
    from library.models import DownloadItem, Library, Track
    from nomarr_site import backups
    from nomarr_site.models import ApiKey, AuthToken

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    music = tmp_path / "music"
    music.mkdir()
    # The series and NFO endpoints reach TMDB: the loopback one, so a 503 means a bug here.
    from library.models import Series
    from nomarr_site import config
    from tests.support.tmdb import V3_KEY

    series_root = tmp_path / "series"
    (series_root / "Show").mkdir(parents=True)
    settings.TMDB_API_URL = tmdb_server.api_url

    renewals = itertools.count(1)

    def make() -> World:
        cache.clear()
        library, _ = Library.objects.get_or_create(root_path=str(music), defaults={"name": "M"})
        track, _ = Track.objects.get_or_create(
            path=str(music / "a.mp3"),
            defaults={"library": library, "relative_path": "a.mp3", "size": 1, "mtime": 0},
        )
        job = Job.objects.create(kind="noop", status=Job.Status.ERROR)
        user, invitation = invitation_rows()
        Job.objects.create(kind="noop", status=Job.Status.PENDING)
        config.set_value("tmdb_api_key", V3_KEY)
        config.set_value("series_directory", str(series_root))
        series, _ = Series.objects.get_or_create(
            key="show", defaults={"name": "Show", "folder": "Show", "tmdb_id": 1429}
        )
        download = DownloadItem.objects.create(
            series=series, season=1, episode=1, source_url="http://127.0.0.1:9/e1.mkv"
        )
        download.job = queue_download(download)
        download.save(update_fields=["job"])
        _, token = AuthToken.issue(admin_user, timedelta(hours=1))
        key, clear = ApiKey.create_key(f"fuzz {next(renewals)}")  # key names are unique
        return World(
            headers={
                "token": {"Authorization": f"Bearer {token}"},
                "key": {"Authorization": f"Bearer {clear}"},
            },
            path_ids={
                "library_id": library.pk,
                "track_id": track.pk,
                "job_id": job.pk,
                "key_id": key.pk,
                "user_id": user.pk,
                "invitation_id": invitation.pk,
                "name": backups.create_backup(None),
                "anime_id": series.key,
                "serie_id": series.key,
                "series_id": series.pk,
                "item_id": str(download.pk),
            },
        )

    return make


def invitation_rows() -> tuple[Any, Any]:
    """A media server with a user and an invitation, for the invitations endpoints' ids. No
    client answers for the server, so deleting its user is refused (409), never a 500."""
    from invitations.models import Invitation, MediaServer, MediaUser

    server, _ = MediaServer.objects.get_or_create(
        name="Fuzz", defaults={"server_type": "jellyfin", "server_url": "http://127.0.0.1:9"}
    )
    user, _ = MediaUser.objects.get_or_create(server=server, remote_id="r1", username="u")
    invitation, _ = Invitation.objects.get_or_create(code="FUZZFUZZFUZZ")
    invitation.servers.add(server)
    return user, invitation


def load_schema(client) -> Any:
    response = client.get("/api/schema", {"format": "json"})
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(json.loads(response.content))


def send(client, method: str, path: str, query: Any, body: Any, headers: dict) -> Any:
    url = path
    if query:
        url += "?" + urlencode(query, doseq=True)
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not NOT_SET:
        kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
        kwargs["content_type"] = "application/json"
    response = getattr(client, method.lower())(url, **kwargs)
    if getattr(response, "streaming", False):
        response.close()
    return response


def pushed(value: Any) -> Any:
    """`value` with every number beyond any database range and every string huge."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return HUGE_INT if value >= 0 else -HUGE_INT
    if isinstance(value, str):
        return HUGE_TEXT
    if isinstance(value, list):
        return [pushed(item) for item in value] or [HUGE_INT]
    if isinstance(value, dict):
        return {key: pushed(item) for key, item in value.items()}
    return value


class Recorder:
    """Sends requests and keeps the ones answered with 500 or more (the first per path)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.failures: dict[str, str] = {}

    def request(self, method: str, path: str, query: Any, body: Any, headers: dict) -> None:
        response = send(self.client, method, path, query, body, headers)
        if response.status_code < 500:
            return
        shown = body if isinstance(body, str | bytes) else json.dumps(body, default=str)
        where = f"{method} {path[:200]}"
        self.failures.setdefault(
            where,
            f"{response.status_code} {where} query={repr(query)[:300]} body={repr(shown)[:300]}",
        )


def fill(template: str, value: str) -> str:
    """The path `template` with every {parameter} replaced by `value`."""
    return PARAMETER.sub(lambda _: value, template)


def known_path(operation, world: World) -> str:
    return PARAMETER.sub(lambda match: str(world.path_ids[match.group()[1:-1]]), operation.path)


def credential_for(client, operation, world: World) -> dict:
    """The admin token, unless the operation refuses it (then the full API key)."""
    path = known_path(operation, world)
    response = send(client, operation.method, path, None, NOT_SET, world.headers["token"])
    if response.status_code in (401, 403):
        return world.headers["key"]
    return world.headers["token"]


def fuzz_operation(operation, world: World, headers: dict, recorder: Recorder) -> None:
    """Schemathesis' valid requests (on existing rows) and schema-breaking ones, each sent
    as generated and again with its numbers and strings pushed past any limit."""
    method = operation.method.upper()

    def run(case) -> None:
        path, body, query = case.formatted_path, case.body, case.query or None
        recorder.request(method, path, query, body, headers)
        hostile_body = NOT_SET if body is NOT_SET else pushed(body)
        hostile_query = {k: str(v) for k, v in pushed(query).items()} if query else None
        recorder.request(method, path, hostile_query, hostile_body, headers)

    names = [match[1:-1] for match in PARAMETER.findall(operation.path)]
    existing = {name: world.path_ids[name] for name in names}
    strategies = [
        operation.as_strategy(
            generation_mode=GenerationMode.POSITIVE, path_parameters=existing or None
        ),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    for strategy in strategies:
        settings(
            max_examples=EXAMPLES_PER_MODE,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(case=strategy)(run))()


def hostile_requests(operation, world: World, headers: dict, recorder: Recorder) -> None:
    """Hand-written hostile queries and bodies, on existing rows and on absurd path values."""
    method, template = operation.method.upper(), operation.path
    paths = [known_path(operation, world)]
    paths += [fill(template, value) for value in HOSTILE_PATH_VALUES]
    for path in dict.fromkeys(paths):
        for query in HOSTILE_QUERIES:
            recorder.request(method, path, query, NOT_SET, headers)
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            for body in HOSTILE_BODIES:
                recorder.request(method, path, None, body, headers)


def test_no_operation_of_the_schema_answers_500_to_any_input(renew):
    from django.test import Client

    # A 500 is an answer to record, not an exception for the test to stop at.
    client = Client(raise_request_exception=False)
    schema = load_schema(client)
    recorder = Recorder(client)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        world = renew()
        headers = credential_for(client, operation, world)
        fuzz_operation(operation, world, headers, recorder)
        hostile_requests(operation, world, headers, recorder)
    if recorder.failures:
        pytest.fail("Answered 500 or more:\n" + "\n".join(recorder.failures.values()))
