"""Downloads model files: resumable (HTTP Range into a `.part` file), verified (checksum when
known, announced size, JSON that parses) and atomically moved into place."""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from library.tagging.model_sets import BASE_URL, ModelDownload

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]  # file name, bytes so far, total or None
CHUNK = 1 << 16


class FetchError(Exception):
    """A download that did not complete; the message says what to do."""


@dataclass
class FetchReport:
    downloaded: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open(url: str, offset: int, timeout: float):
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"Refusing to download {url}: only http and https URLs are allowed")
    request = urllib.request.Request(url, headers={"User-Agent": "nomarr-models-fetch"})  # noqa: S310
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (scheme checked)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            return None  # the .part already holds the whole file
        raise FetchError(f"Downloading {url} failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"Cannot reach {urlsplit(url).netloc} ({reason}). Check the network connection, or "
            f"download {url} by hand into the models folder."
        ) from None


def _receive(response, part: Path, offset: int, name: str, progress: Progress | None) -> None:
    resumed = response.status == 206 and offset > 0
    length = response.headers.get("Content-Length")
    total = (int(length) + (offset if resumed else 0)) if length else None
    done = offset if resumed else 0
    with part.open("ab" if resumed else "wb") as handle:
        try:
            while block := response.read(CHUNK):
                handle.write(block)
                done += len(block)
                if progress:
                    progress(name, done, total)
        except (http.client.HTTPException, OSError):
            pass  # a dropped connection: what arrived stays in the .part file for a resume
    if total is not None and done != total:
        raise FetchError(
            f"{name}: the connection dropped at {done} of {total} bytes; run the "
            "command again to resume"
        )


def _verify(item: ModelDownload, part: Path) -> None:
    if item.sha256 and _sha256(part) != item.sha256:
        part.unlink()
        raise FetchError(
            f"{item.file_name}: checksum mismatch (expected {item.sha256}); the "
            "download was discarded"
        )
    if item.file_name.endswith(".json"):
        try:
            json.loads(part.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            part.unlink()
            raise FetchError(f"{item.file_name}: the downloaded metadata is not JSON") from None


def download(
    item: ModelDownload,
    dest: Path,
    base_url: str = BASE_URL,
    progress: Progress | None = None,
    timeout: float = 30.0,
) -> bool:
    """Fetch one file into `dest` unless it is already there (and matches its checksum).
    Returns True when something was downloaded."""
    target = dest / item.path
    if target.exists() and (item.sha256 is None or _sha256(target) == item.sha256):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    url = f"{base_url.rstrip('/')}/{item.path}"
    response = _open(url, offset, timeout)
    if response is not None:
        with response:
            _receive(response, part, offset, item.file_name, progress)
    _verify(item, part)
    os.replace(part, target)
    logger.info("downloaded %s", url)
    return True


def fetch_set(
    files: Iterable[ModelDownload],
    dest: str | os.PathLike,
    base_url: str = BASE_URL,
    progress: Progress | None = None,
    timeout: float = 30.0,
) -> FetchReport:
    """Download every missing file of a set; stops at the first failure (FetchError)."""
    report = FetchReport()
    for item in files:
        done = download(item, Path(dest), base_url, progress, timeout)
        (report.downloaded if done else report.present).append(item.path)
    return report
