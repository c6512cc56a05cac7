"""One pagination for every list: the same limit/offset, default, maximum and bad-value 400s;
our own lists answer one envelope, reference lists keep theirs."""

from __future__ import annotations

import pytest

from nomarr_site.pagination import DEFAULT_LIMIT, MAX_LIMIT

pytestmark = pytest.mark.django_db

ITEMS = DEFAULT_LIMIT + 3  # more than one default page
OWN_ENVELOPE = {"count", "limit", "offset", "results"}


@pytest.fixture
def library(tmp_path):
    from library.models import Library, Track

    root = tmp_path / "music"
    root.mkdir()
    library = Library.objects.create(name="Music", root_path=str(root))
    names = [f"{n:03}.mp3" for n in range(ITEMS)]
    for name in names:
        (root / name).write_bytes(b"x")
    Track.objects.bulk_create(
        Track(library=library, path=str(root / n), relative_path=n, size=1, mtime=1.0)
        for n in names
    )
    return library


@pytest.fixture
def jobs(db):
    from jobs.models import Job

    Job.objects.bulk_create(Job(kind="noop", status=Job.Status.DONE) for _ in range(ITEMS))


@pytest.fixture(
    params=[
        ("own", "/api/web/libraries/{id}/tracks"),
        ("own", "/api/web/libraries/{id}/browse"),
        ("queue", "/api/web/queue/list"),
        ("queue", "/api/v1/list"),
    ],
    ids=["tracks", "browse", "queue", "legacy-queue"],
)
def endpoint(request, library, jobs, token_holder, key_holder):
    """(envelope, a getter of the list's query answer) for each paginated list endpoint."""
    shape, url = request.param
    client = key_holder if url.startswith("/api/v1/") else token_holder
    return shape, lambda query="": client.get(f"{url.format(id=library.pk)}?{query}")


def page_of(shape: str, body: dict) -> tuple[int, int, int, int]:
    """(count, limit, offset, items on the page) from either envelope."""
    if shape == "own":
        assert set(body) >= OWN_ENVELOPE
        return body["count"], body["limit"], body["offset"], len(body["results"])
    # The reference's queue envelope, and the one context key the queue page reads.
    assert set(body) == {"jobs", "total", "limit", "offset", "waiting"}
    return body["total"], body["limit"], body["offset"], len(body["jobs"])


def test_every_list_pages_by_default_with_the_same_default_limit(endpoint):
    shape, get = endpoint
    assert page_of(shape, get().json()) == (ITEMS, DEFAULT_LIMIT, 0, DEFAULT_LIMIT)


def test_every_list_honours_limit_and_offset(endpoint):
    shape, get = endpoint
    assert page_of(shape, get("limit=5&offset=50").json()) == (ITEMS, 5, 50, 3)
    assert page_of(shape, get(f"offset={ITEMS + 10}").json()) == (ITEMS, DEFAULT_LIMIT, 63, 0)


def test_every_list_caps_the_limit_at_the_same_maximum(endpoint):
    shape, get = endpoint
    assert page_of(shape, get(f"limit={MAX_LIMIT * 10}").json())[1:3] == (MAX_LIMIT, 0)


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=-1", "limit=abc", "limit=1.5", "offset=-1", "offset=x", "offset=9" * 30],
)
def test_every_list_refuses_a_bad_limit_or_offset_with_a_400_naming_it(endpoint, query):
    _shape, get = endpoint
    response = get(query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert body["details"]["field"] == query.split("=")[0]


def test_the_tracks_list_answers_the_own_envelope_and_nothing_else(library, token_holder):
    body = token_holder.get(f"/api/web/libraries/{library.pk}/tracks?limit=2").json()
    assert set(body) == OWN_ENVELOPE


def test_the_schema_describes_the_own_envelope(token_holder):
    schema = token_holder.get("/api/schema", HTTP_ACCEPT="application/json").json()
    answer = schema["paths"]["/api/web/libraries/{library_id}/tracks"]["get"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == OWN_ENVELOPE
