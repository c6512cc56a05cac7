"""Keeping a stop in sight while the network blocks: the wait for an answer's headers and each
read of its body run in a helper thread, while the download's own thread asks `should_stop`
every `POLL_SECONDS` (it may read the database, so it stays on that thread). On a stop the
request's sockets are shut, which ends the helper's blocking read at once, and the download
stops with `DownloadStopped` within a poll, however long the server stalls; what the part file
holds is kept for a resume."""

from __future__ import annotations

import queue
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from library.downloads.errors import DownloadStopped

POLL_SECONDS = 0.25  # how often should_stop is asked while the server is silent
GRACE_SECONDS = 2.0  # how long a stop waits for the helper to notice its shut socket
_QUEUED_CHUNKS = 8

T = TypeVar("T")


class Sockets:
    """The sockets one request opens, reported by httpcore's `trace` extension (pass `trace`
    as the request's `extensions={"trace": ...}`), so that a stop can shut them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._shut = False

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if not event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._open.append(sock)
            shut = self._shut
        if shut:  # connected just after the stop
            _shutdown(sock)

    def shut(self) -> None:
        """Shut every socket of the request, and any it opens from now on."""
        with self._lock:
            self._shut = True
            opened = list(self._open)
        for sock in opened:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed or never connected


def call(
    work: Callable[[], T],
    should_stop: Callable[[], bool],
    sockets: Sockets,
    *,
    discard: Callable[[T], None] = lambda _result: None,
) -> T:
    """`work()`'s result (or its exception), run in a helper thread; DownloadStopped as soon as
    `should_stop()` says so, the sockets shut and a result that came too late `discard`ed."""
    outcome: dict[str, Any] = {}
    finished = threading.Event()

    def helper() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=helper, name="download-wait", daemon=True).start()
    while not finished.wait(POLL_SECONDS):
        if should_stop():
            sockets.shut()
            if finished.wait(GRACE_SECONDS) and "result" in outcome:
                discard(outcome["result"])
            raise DownloadStopped()
    if "error" in outcome:
        raise outcome["error"]
    result: T = outcome["result"]
    return result


def chunks(
    source: Iterator[bytes], should_stop: Callable[[], bool], sockets: Sockets
) -> Iterator[bytes]:
    """The chunks of `source`, read ahead by a helper thread; DownloadStopped as soon as
    `should_stop()` says so, even while the server sends nothing (the sockets are shut)."""
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_QUEUED_CHUNKS)
    gone = threading.Event()  # the reader stopped listening

    def offer(kind: str, value: Any) -> bool:
        while not gone.is_set():
            try:
                ready.put((kind, value), timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def pump() -> None:
        try:
            for chunk in source:
                if not offer("chunk", chunk):
                    return
            offer("end", None)
        except BaseException as exc:  # handed to the reading thread
            offer("error", exc)

    helper = threading.Thread(target=pump, name="download-read", daemon=True)
    helper.start()
    try:
        yield from _take(ready, should_stop, sockets)
    finally:
        gone.set()
        helper.join(GRACE_SECONDS)


def _take(
    ready: queue.Queue[tuple[str, Any]], should_stop: Callable[[], bool], sockets: Sockets
) -> Iterator[bytes]:
    while True:
        if should_stop():
            sockets.shut()
            raise DownloadStopped()
        try:
            kind, value = ready.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value
