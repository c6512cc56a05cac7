"""The HTTP(S) downloader: streams one file into a hidden part file in the target folder,
resumes an interrupted download with `Range` + `If-Range` (the server's ETag, else its
Last-Modified, must still match, else it starts over), verifies the size and the SHA-256 when
one is known, and renames the file into place. Errors say whether a retry may help. A stop is
noticed within a fraction of a second also while the server stalls, before its headers or
mid-body (`watch.py`)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx

from library.downloads.errors import DownloadError, DownloadStopped
from library.downloads.headers import (
    announced_sha256,
    content_range,
    retry_after,
    unsatisfied_total,
)
from library.downloads.partfile import (
    PartFile,
    PartState,
    finish,
    write_all,
    write_failed,
)
from library.downloads.progress import Meter, Progress
from library.downloads.request import DownloadRequest
from library.downloads.urls import check_url, shown
from library.downloads.watch import Sockets, call, chunks

__all__ = [
    "DownloadError",
    "DownloadRequest",
    "DownloadStopped",
    "Progress",
    "check_url",
    "download",
]

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
USER_AGENT = "Nomarr"
RESTART: Final = "restart"  # the server would not continue the part file: start from zero


def download(request: DownloadRequest) -> Path:
    """Download `request.url` into `request.final_path` (see the module docstring) and return
    that path. DownloadError when it fails (`retryable` says whether to try again),
    DownloadStopped when `request.should_stop()` said so (the part is kept)."""
    part, meter = request.start()
    if request.should_stop():
        raise DownloadStopped()
    with part.locked() as fd:
        state = _fetch(request, part, fd, meter)
        return finish(
            part,
            request.final_path,
            meter,
            sizes={"the server": state.total, "the expected size": request.expected_size},
            checksums={
                "the server's checksum header": state.sha256,
                "the expected checksum": request.expected_sha256,
            },
        )


def _fetch(request: DownloadRequest, part: PartFile, fd: int, meter: Meter) -> PartState:
    """Bring the part file to completion; the state it was completed with."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    restarted = False
    with httpx.Client(timeout=request.timeout, headers=headers, follow_redirects=False) as client:
        while True:
            state = _transfer(client, request, part, fd, meter)
            if not isinstance(state, PartState):
                # A server that will not continue the part file gets one fresh request.
                if restarted:
                    break
                restarted = True
                part.reset(fd)
                meter.restart()
            elif state.total is None or part.size() >= state.total:
                return state
            # else: a 206 covering only part of the rest (a CDN capping ranges); each answer
            # adds at least one byte, so asking for the next part ends.
    raise DownloadError(f"{shown(request.url)} answered a fresh request oddly.", retryable=True)


def _transfer(
    client: httpx.Client, request: DownloadRequest, part: PartFile, fd: int, meter: Meter
) -> PartState | str:
    """One request: continue (or start) the part file; the state of a complete part file,
    or RESTART when the server's answer cannot continue it."""
    url, expected_size = request.url, request.expected_size
    previous = part.load(url)
    offset = part.size() if previous else 0
    headers = _resume_headers(previous, offset)
    if not headers:
        offset = 0
    sockets = Sockets()
    with contextlib.closing(_open(client, url, headers, request.should_stop, sockets)) as response:
        if response.status_code == 416:
            return _unsatisfiable(response, previous, offset)
        if response.status_code == 206 and not _continues(response, previous, offset):
            logger.info("%s: the server did not continue at byte %d", shown(url), offset)
            return RESTART
        if response.status_code == 200:
            offset = 0
        state = _state_of(response, url, previous if offset else None, offset)
        if expected_size is not None and state.total is not None and state.total != expected_size:
            part.discard()
            raise DownloadError(
                f"The server announces {state.total} bytes but {expected_size} bytes were "
                "expected; nothing was kept."
            )
        if not offset:
            meter.restart()
        answered = content_range(response.headers) if response.status_code == 206 else None
        until = answered.end + 1 if answered is not None else state.total
        _receive(response, part, fd, state, offset, until, meter, request.should_stop, sockets)
    return state


def _resume_headers(previous: PartState | None, offset: int) -> dict[str, str]:
    """Range + If-Range for a part file that can be continued. A weak ETag cannot be used in
    If-Range (RFC 9110 §13.1.5), and without any validator the server could not tell us that
    the file changed: then the download starts over."""
    if previous is None or offset <= 0:
        return {}
    validator = previous.etag if previous.etag and not previous.etag.startswith("W/") else None
    validator = validator or previous.last_modified
    if not validator:
        return {}
    return {"Range": f"bytes={offset}-", "If-Range": validator}


def _open(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    should_stop: Callable[[], bool],
    sockets: Sockets,
) -> httpx.Response:
    """Send the GET, following up to MAX_REDIRECTS redirects (http/https only); a streaming
    answer of 200, 206 or 416, else DownloadError. DownloadStopped when `should_stop()` says
    so while the server has not answered yet."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        get = client.build_request(
            "GET", current, headers=headers, extensions={"trace": sockets.trace}
        )
        try:
            response = call(
                functools.partial(client.send, get, stream=True),
                should_stop,
                sockets,
                discard=httpx.Response.close,
            )
        except httpx.TimeoutException:
            raise DownloadError(
                f"{urlsplit(current).hostname} did not answer in time; the download will be "
                "tried again.",
                retryable=True,
            ) from None
        except httpx.InvalidURL:
            raise DownloadError(f"{current[:100]!r} is not a valid URL.") from None
        except httpx.ConnectError as exc:
            raise _connect_error(exc, current) from None
        except httpx.TransportError as exc:
            raise DownloadError(
                f"Cannot reach {urlsplit(current).hostname} ({type(exc).__name__}); the "
                "download will be tried again.",
                retryable=True,
            ) from None
        if response.is_redirect:
            response.close()
            location = response.headers["Location"]
            try:
                current = urljoin(current, location)
                check_url(current)
            except (DownloadError, ValueError):
                raise DownloadError(
                    f"{shown(url)} redirects to {location[:100]!r}; only http and https URLs "
                    "can be downloaded."
                ) from None
            continue
        if response.status_code in (200, 206, 416):
            if response.headers.get("Content-Encoding", "identity").lower() != "identity":
                response.close()
                raise DownloadError(f"{shown(current)} was sent compressed; it cannot be saved.")
            return response
        response.close()
        raise _status_error(response, current)
    raise DownloadError(f"{shown(url)} redirects more than {MAX_REDIRECTS} times.")


def _connect_error(exc: httpx.ConnectError, url: str) -> DownloadError:
    """A refused or unreachable host is worth another try; a certificate that cannot be
    verified will not fix itself."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLCertVerificationError):
        cause = cause.__cause__ or cause.__context__
    host = urlsplit(url).hostname
    if isinstance(cause, ssl.SSLCertVerificationError):
        return DownloadError(
            f"The certificate of {host} could not be verified ({cause.verify_message}); "
            "the download was not started."
        )
    return DownloadError(
        f"Cannot reach {host} ({type(exc).__name__}); the download will be tried again.",
        retryable=True,
    )


def _status_error(response: httpx.Response, url: str) -> DownloadError:
    status = response.status_code
    if status in (408, 425, 429) or status >= 500:
        return DownloadError(
            f"{urlsplit(url).hostname} answered HTTP {status}; the download will be tried again.",
            retryable=True,
            retry_after=retry_after(response.headers.get("Retry-After")),
        )
    if status in (401, 403):
        reason = f"The server refused access to {shown(url)} (HTTP {status})."
    elif status == 404:
        reason = f"{shown(url)} was not found on the server (HTTP 404)."
    elif status == 410:
        reason = f"{shown(url)} is gone from the server (HTTP 410)."
    else:
        reason = f"The server answered HTTP {status} for {shown(url)}."
    return DownloadError(reason, retryable=False)


def _unsatisfiable(
    response: httpx.Response, previous: PartState | None, offset: int
) -> PartState | str:
    """416: the part file may already hold the whole file (a crash after the last byte)."""
    total = unsatisfied_total(response.headers)
    if (
        previous is not None
        and offset
        and offset == (total if total is not None else previous.total)
    ):
        return PartState(
            previous.url, previous.etag, previous.last_modified, offset, previous.sha256
        )
    return RESTART


def _continues(response: httpx.Response, previous: PartState | None, offset: int) -> bool:
    """Whether a 206 continues our part file: it starts where the file ends, and the file it
    is part of has the recorded validator and size."""
    answered = content_range(response.headers)
    if answered is None or answered.start != offset:
        return False
    if previous is None:
        return offset == 0
    total = answered.total
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    return (
        not (previous.etag and etag and etag != previous.etag)
        and not (
            not previous.etag
            and previous.last_modified
            and modified
            and modified != previous.last_modified
        )
        and not (previous.total is not None and total is not None and total != previous.total)
    )


def _state_of(
    response: httpx.Response, url: str, previous: PartState | None, offset: int
) -> PartState:
    """What the sidecar should record for this answer (the earlier one's values where a 206
    leaves them out)."""
    total: int | None = None
    length = response.headers.get("Content-Length", "")
    if response.status_code == 206:
        answered = content_range(response.headers)
        if answered is not None and answered.total is not None:
            total = answered.total
        elif length.isdigit():
            total = offset + int(length)
    elif length.isdigit():
        total = int(length)
    keep = previous or PartState(url)
    return PartState(
        url,
        etag=response.headers.get("ETag") or keep.etag,
        last_modified=response.headers.get("Last-Modified") or keep.last_modified,
        total=total if total is not None else keep.total,
        sha256=announced_sha256(response.headers) or keep.sha256,
    )


def _receive(
    response: httpx.Response,
    part: PartFile,
    fd: int,
    state: PartState,
    offset: int,
    until: int | None,
    meter: Meter,
    should_stop: Callable[[], bool],
    sockets: Sockets,
) -> None:
    """Write the answer's body into the part file from `offset` up to byte `until` (when
    known). What arrived before a dropped connection or a stop is flushed to disk and kept for
    a resume; a failed write removes it."""
    total = state.total
    try:
        part.rewind(fd, offset)
        part.save(state)
        try:
            done = _copy(
                response,
                fd,
                offset,
                total,
                meter,
                chunks(response.iter_raw(), should_stop, sockets),
            )
        finally:
            os.fsync(fd)
    except OSError as exc:
        raise write_failed(part, exc) from None
    if until is not None and done < until:
        raise _dropped(response, done, total)
    if (until is not None and done > until) or (total is not None and done > total):
        part.discard()
        raise DownloadError(f"{shown(str(response.url))} sent more bytes than it announced.")


def _copy(
    response: httpx.Response,
    fd: int,
    offset: int,
    total: int | None,
    meter: Meter,
    received: Iterator[bytes],
) -> int:
    done = offset
    meter.update(done, total)
    try:
        # Raw chunks as received (a buffer would lose bytes at a cut); `received` raises
        # DownloadStopped when a stop is asked for.
        for chunk in received:
            write_all(fd, chunk)
            done += len(chunk)
            meter.update(done, total)
    except httpx.TransportError:
        raise _dropped(response, done, total) from None
    return done


def _dropped(response: httpx.Response, done: int, total: int | None) -> DownloadError:
    of = f" of {total}" if total is not None else ""
    return DownloadError(
        f"The connection to {response.url.host} dropped after {done}{of} bytes; the download "
        "will resume where it stopped.",
        retryable=True,
    )
