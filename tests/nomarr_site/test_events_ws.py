"""WebSocket /ws/connect on the real ASGI application: who may connect, the join/leave/ping
protocol, bad input, event delivery by room, and dropping a connection whose credential ends."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from nomarr_site.events import access, consumers, emit
from tests.support.aio import run_scenario

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5  # an upper bound on waiting; a message that arrives ends the wait at once


def run(scenario) -> None:
    """Run an async scenario in its own bounded event loop (see tests/support/aio.py)."""
    run_scenario(scenario)


def socket_for(query: str = "", headers=None) -> WebsocketCommunicator:
    from nomarr_site.asgi import application

    path = "/ws/connect" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers or [])


async def open_socket(query: str = "", headers=None) -> WebsocketCommunicator:
    socket = socket_for(query, headers)
    connected, code = await socket.connect(timeout=TIMEOUT)
    assert connected, f"refused with {code}"
    hello = await socket.receive_json_from(timeout=TIMEOUT)
    assert hello["type"] == "connected"
    assert set(hello) == {"type", "timestamp", "data"}
    return socket


async def join(socket: WebsocketCommunicator, room: str) -> None:
    await socket.send_json_to({"action": "join", "data": {"room": room}})
    answer = await socket.receive_json_from(timeout=TIMEOUT)
    assert answer["type"] == "room_joined", answer
    assert answer["data"]["room"] == room


def session_cookie(admin_browser) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", f"sessionid={admin_browser.cookies['sessionid'].value}".encode())]


def test_a_socket_without_credentials_is_refused(db):
    async def scenario():
        connected, _ = await socket_for().connect(timeout=TIMEOUT)
        assert connected is False

    run(scenario)


@pytest.mark.parametrize("path", ["/ws/status", "/ws/../ws/connect", "/ws/connect/", "/nowhere"])
def test_a_socket_to_an_unknown_path_is_refused_not_crashed(token_holder, path):
    from nomarr_site.asgi import application

    async def scenario():
        socket = WebsocketCommunicator(application, f"{path}?token={token_holder.clear}")
        connected, _ = await socket.connect(timeout=TIMEOUT)
        assert connected is False

    run(scenario)


@pytest.mark.parametrize("query", ["token=not-a-token", "apikey=nmr_wrong", "token="])
def test_a_socket_with_an_unknown_credential_is_refused(db, query):
    async def scenario():
        connected, _ = await socket_for(query).connect(timeout=TIMEOUT)
        assert connected is False

    run(scenario)


def test_a_session_token_in_the_query_opens_a_socket(token_holder):
    async def scenario():
        socket = await open_socket(f"token={token_holder.clear}")
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize("how", ["query", "header"])
def test_an_api_key_opens_a_socket(api_key, how):
    async def scenario():
        if how == "query":
            socket = await open_socket(f"apikey={api_key.clear}")
        else:
            socket = await open_socket(headers=[(b"x-api-key", api_key.clear.encode())])
        await socket.disconnect()

    run(scenario)


def test_a_browser_session_cookie_opens_a_socket(admin_browser):
    async def scenario():
        socket = await open_socket(headers=session_cookie(admin_browser))
        await socket.disconnect()

    run(scenario)


def test_a_session_cookie_from_a_foreign_page_is_refused(admin_browser):
    headers = session_cookie(admin_browser) + [
        (b"origin", b"http://evil.example"),
        (b"host", b"nomarr.local:8356"),
    ]

    async def scenario():
        connected, _ = await socket_for(headers=headers).connect(timeout=TIMEOUT)
        assert connected is False

    run(scenario)


def test_ping_in_either_form_answers_pong(api_key):
    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        for ping in ({"type": "ping"}, {"action": "ping"}):
            await socket.send_json_to(ping)
            pong = await socket.receive_json_from(timeout=TIMEOUT)
            assert pong["type"] == "pong"
            assert pong["timestamp"].endswith("Z")
        await socket.disconnect()

    run(scenario)


def test_join_and_leave_answer_with_the_rooms_joined(api_key):
    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        await join(socket, "queue")
        await join(socket, "system")
        await socket.send_json_to({"action": "leave", "data": {"room": "queue"}})
        left = await socket.receive_json_from(timeout=TIMEOUT)
        assert left["type"] == "room_left"
        assert left["data"] == {"room": "queue", "rooms": ["system"]}
        await socket.disconnect()

    run(scenario)


BAD_MESSAGES = [
    ("not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ('{"action": "join"}', "Unknown room"),
    ('{"action": "join", "data": {"room": "kitchen"}}', "Unknown room"),
    ('{"action": "join", "data": {"room": ["queue"]}}', "Unknown room"),
    ('{"action": "join", "data": "queue"}', "Unknown room"),
    ('{"action": "dance"}', "Unknown message"),
    ("{}", "Unknown message"),
    ("x" * 5000, "too long"),
    # Short enough to be parsed, deep enough to exhaust json's recursion: it closed the socket
    # with 1011 and logged a RecursionError.
    ("[" * 2040 + "]" * 2040, "nested deeper than"),
    ('{"a":' * 70 + "1" + "}" * 70, "nested deeper than"),
]


@pytest.mark.parametrize(("text", "complaint"), BAD_MESSAGES)
def test_malformed_messages_get_an_error_and_the_socket_stays_open(api_key, text, complaint):
    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        await socket.send_to(text_data=text)
        error = await socket.receive_json_from(timeout=TIMEOUT)
        assert error["type"] == "error"
        assert complaint in error["data"]["message"]
        await socket.send_json_to({"type": "ping"})
        assert (await socket.receive_json_from(timeout=TIMEOUT))["type"] == "pong"
        await socket.disconnect()

    run(scenario)


def test_binary_frames_get_an_error(api_key):
    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        await socket.send_to(bytes_data=b"\x00\x01")
        error = await socket.receive_json_from(timeout=TIMEOUT)
        assert error["type"] == "error"
        await socket.disconnect()

    run(scenario)


def test_an_event_reaches_a_joined_room_and_skips_the_others(token_holder):
    async def scenario():
        socket = await open_socket(f"token={token_holder.clear}")
        await join(socket, "queue")
        await sync_to_async(emit)(
            "library", "scan.progress", {"library_id": 1, "scanned": 3, "total": 9}
        )
        await sync_to_async(emit)(
            "queue", "queue.jobs", {"id": 7, "status": "running", "progress": 0.5}
        )
        message = await socket.receive_json_from(timeout=TIMEOUT)
        # The library event was published first; the first thing to arrive is the queue event.
        assert message["type"] == "queue_jobs"
        assert message["data"] == {"id": 7, "status": "running", "progress": 0.5}
        assert set(message) == {"type", "timestamp", "data"}
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("room", "event_type", "data", "ws_type"),
    [
        ("queue", "queue.status", {"pending": 1, "running": 0}, "queue_status"),
        (
            "system",
            "worker.status",
            {"component": "worker:tag:0", "status": "idle"},
            "worker_status",
        ),
        ("system", "system.health", {"status": "healthy", "errors": []}, "system_info"),
        ("library", "scan.complete", {"library_id": 1, "added": 2}, "scan_complete"),
        ("queue", "queue.jobs", {"id": 1, "status": "done"}, "queue_jobs"),
        (
            "downloads",
            "download.progress",
            {"download_id": "0b7c", "key": "frieren", "percent": 45.2, "speed_mbps": 2.5},
            "download_progress",
        ),
        (
            "downloads",
            "download.queue_started",
            {"status": "running", "message": "Queue processing started"},
            "queue_started",
        ),
    ],
)
def test_events_use_the_aniworld_message_types(api_key, room, event_type, data, ws_type):
    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        await join(socket, room)
        await sync_to_async(emit)(room, event_type, data)
        message = await socket.receive_json_from(timeout=TIMEOUT)
        assert message["type"] == ws_type
        assert message["data"] == data
        await socket.disconnect()

    run(scenario)


def test_a_left_room_receives_no_more_events(api_key):
    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        await join(socket, "queue")
        await join(socket, "system")
        await socket.send_json_to({"action": "leave", "data": {"room": "queue"}})
        assert (await socket.receive_json_from(timeout=TIMEOUT))["type"] == "room_left"
        await sync_to_async(emit)("queue", "queue.jobs", {"id": 1, "status": "done"})
        await sync_to_async(emit)("system", "system.health", {"status": "healthy", "errors": []})
        message = await socket.receive_json_from(timeout=TIMEOUT)
        assert message["type"] == "system_info"
        await socket.disconnect()

    run(scenario)


def test_a_revoked_key_is_disconnected_by_the_periodic_check(api_key, monkeypatch):
    monkeypatch.setattr(access, "CACHE_SECONDS", 0)
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.05)

    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        await sync_to_async(api_key.revoke)()
        error = await socket.receive_json_from(timeout=TIMEOUT)
        assert error["type"] == "error"
        closed = await socket.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": consumers.CLOSE_CREDENTIAL_INVALID}
        await socket.disconnect()

    run(scenario)


def test_a_revoked_token_gets_no_event_and_is_disconnected(token_holder, monkeypatch):
    monkeypatch.setattr(access, "CACHE_SECONDS", 0)

    async def scenario():
        socket = await open_socket(f"token={token_holder.clear}")
        await join(socket, "queue")
        await sync_to_async(token_holder.token.revoke)()
        await sync_to_async(emit)("queue", "queue.jobs", {"id": 3, "status": "done"})
        error = await socket.receive_json_from(timeout=TIMEOUT)
        assert error["type"] == "error"
        closed = await socket.receive_output(timeout=TIMEOUT)
        assert closed["type"] == "websocket.close"
        await socket.disconnect()

    run(scenario)


def test_an_ended_browser_session_is_disconnected(admin_browser, monkeypatch):
    from django.contrib.sessions.models import Session

    monkeypatch.setattr(access, "CACHE_SECONDS", 0)
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.05)

    async def scenario():
        socket = await open_socket(headers=session_cookie(admin_browser))
        await sync_to_async(Session.objects.all().delete)()
        assert (await socket.receive_json_from(timeout=TIMEOUT))["type"] == "error"
        assert (await socket.receive_output(timeout=TIMEOUT))["type"] == "websocket.close"
        await socket.disconnect()

    run(scenario)


def test_ws_status_lists_the_message_types_and_counts_connections(key_holder, api_key):
    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        body = await sync_to_async(lambda: key_holder.get("/ws/status").json())()
        assert body["status"] == "operational"
        assert body["active_connections"] == 1
        for expected in ("queue_status", "scan_progress", "queue_jobs", "worker_status", "pong"):
            assert expected in body["supported_message_types"]
        await socket.disconnect()
        after = await sync_to_async(lambda: key_holder.get("/ws/status").json())()
        assert after["active_connections"] == 0

    run(scenario)


def test_ws_status_needs_a_credential(anonymous):
    response = anonymous.get("/ws/status")
    assert response.status_code == 401
    assert response.json()["error"] == "AUTHENTICATION_ERROR"


def idle_seconds() -> float:
    """Longer than the Redis layer's blocking read (5 s), after which a broken client set-up
    raises a read timeout; one second on the in-memory layer."""
    from channels.layers import get_channel_layer

    return getattr(get_channel_layer(), "brpop_timeout", 0) + 1


def test_an_idle_socket_still_receives_events(api_key):
    import asyncio

    async def scenario():
        socket = await open_socket(f"apikey={api_key.clear}")
        await join(socket, "queue")
        await asyncio.sleep(idle_seconds())
        await sync_to_async(emit)("queue", "queue.jobs", {"id": 4, "status": "done"})
        assert (await socket.receive_json_from(timeout=TIMEOUT))["type"] == "queue_jobs"
        await socket.disconnect()

    run(scenario)
