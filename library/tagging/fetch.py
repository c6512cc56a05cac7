"""Downloads model files: resumable (HTTP Range into a `.part` file), verified before they are
moved into place (a pinned checksum, the announced size, JSON that parses, a graph that is whole
and has the nodes its metadata names) and recorded in a manifest, so later runs and
`nom models verify` notice a file whose bytes changed since it was fetched."""

from __future__ import annotations

import http.client
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NoReturn, TypedDict
from urllib.parse import urlsplit

from library.tagging import graphfile, metadata
from library.tagging.graphfile import GraphFileError
from library.tagging.metadata import MetadataError
from library.tagging.model_sets import BASE_URL, ModelDownload
from library.tagging.model_suite import sha256_of
from nomarr_site.files import atomic_write, move_into_place

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]  # file name, bytes so far, total or None
CHUNK = 1 << 16
MANIFEST = ".nomarr-models.json"  # hidden, so model discovery never reads it
MANIFEST_VERSION = 1


class FetchError(Exception):
    """A download that did not complete; the message says what to do."""


@dataclass(frozen=True)
class FileProblem:
    path: str  # relative to the models folder
    message: str  # names the file and says what to do


class ChangedFile(FetchError):
    """A file whose bytes differ from what was recorded when it was fetched."""

    def __init__(self, problem: FileProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class FetchReport:
    downloaded: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    changed: list[FileProblem] = field(default_factory=list)


@dataclass
class VerifyReport:
    intact: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)


class ManifestEntry(TypedDict):
    sha256: str
    size: int


# The manifest: what `nom models fetch` downloaded (sha256 and size by relative path), trusted on
# first use because Essentia publishes no checksums.


def _valid_entry(path: object, entry: object) -> bool:
    if not isinstance(path, str) or not isinstance(entry, dict):
        return False
    parts = PurePosixPath(path).parts
    sha256, size = entry.get("sha256"), entry.get("size")
    return (
        bool(parts)
        and not PurePosixPath(path).is_absolute()
        and ".." not in parts
        and isinstance(sha256, str)
        and len(sha256) == 64
        and isinstance(size, int)
        and size >= 0
    )


def load_manifest(dest: str | os.PathLike) -> dict[str, ManifestEntry]:
    """The recorded files of a models folder; empty when nothing was fetched into it yet."""
    path = Path(dest) / MANIFEST
    advice = "delete it to start afresh (files fetched before are then no longer checked)"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{path} cannot be read ({exc}); {advice}") from None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, dict) or document.get("version") != MANIFEST_VERSION:
        raise FetchError(f"{path} is not a version {MANIFEST_VERSION} manifest; {advice}")
    if not all(_valid_entry(name, entry) for name, entry in files.items()):
        raise FetchError(f"{path} has a malformed entry; {advice}")
    return files


def _write_manifest(dest: Path, files: Mapping[str, ManifestEntry]) -> None:
    """Replace the manifest atomically (a crash leaves the old one or the new one, never half),
    owner-only like every file Nomarr writes for itself."""
    document = {"version": MANIFEST_VERSION, "files": dict(sorted(files.items()))}
    atomic_write(dest / MANIFEST, json.dumps(document, indent=2) + "\n")


def _record(dest: Path, path: str, sha256: str, size: int) -> None:
    files = load_manifest(dest)  # read again: another run may have recorded files meanwhile
    files[path] = {"sha256": sha256, "size": size}
    _write_manifest(dest, files)


def _changed(path: str, file: Path, entry: ManifestEntry) -> FileProblem | None:
    size = file.stat().st_size
    if size != entry["size"]:
        detail = f"{size} bytes now, {entry['size']} when it was fetched"
    else:
        digest = sha256_of(file)
        if digest == entry["sha256"]:
            return None
        detail = f"sha256 {digest[:12]}... now, {entry['sha256'][:12]}... when it was fetched"
    return FileProblem(
        path,
        f"{path} changed since it was fetched ({detail}). If you did not replace it on "
        "purpose, delete it and run `nom models fetch` to download it again; if you did, "
        f"remove its entry from {MANIFEST}.",
    )


def _mismatches_pin(path: str, file: Path, pinned: str) -> FileProblem | None:
    digest = sha256_of(file)
    if digest == pinned:
        return None
    return FileProblem(
        path,
        f"{path} does not match its pinned sha256 ({digest[:12]}... instead of "
        f"{pinned[:12]}...). Delete it and run `nom models fetch` to download it again.",
    )


# Downloading


def _open(url: str, offset: int, timeout: float) -> http.client.HTTPResponse | None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"Refusing to download {url}: only http and https URLs are allowed")
    request = urllib.request.Request(url, headers={"User-Agent": "nomarr-models-fetch"})  # noqa: S310
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        # typeshed types urlopen's result as Any; for an http(s) URL it is an HTTPResponse.
        response: http.client.HTTPResponse = urllib.request.urlopen(  # noqa: S310 (scheme checked)
            request, timeout=timeout
        )
        return response
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


def _receive(
    response: http.client.HTTPResponse,
    part: Path,
    offset: int,
    name: str,
    progress: Progress | None,
) -> None:
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
        handle.flush()
        os.fsync(handle.fileno())  # on disk before it can be moved into place
    if total is not None and done != total:
        raise FetchError(
            f"{name}: the connection dropped at {done} of {total} bytes; run the "
            "command again to resume"
        )


def _discard(part: Path, message: str) -> NoReturn:
    """Refuse a completely received file: resuming bytes that are wrong cannot fix them."""
    part.unlink()
    raise FetchError(f"{message}; the download was discarded")


def _check_graph(item: ModelDownload, part: Path, target: Path) -> None:
    meta_path = target.with_suffix(".json")  # fetched first, see _metadata_first
    try:
        required = graphfile.declared_nodes(metadata.load(meta_path))
    except MetadataError as exc:
        required = []
        logger.warning("%s: its node names cannot be checked (%s)", item.path, exc)
    try:
        graphfile.check_graph(part, required, meta_path.name, name=item.file_name)
    except GraphFileError as exc:
        _discard(part, str(exc))


def _verify(item: ModelDownload, part: Path, target: Path) -> str:
    """Check a completely received file; return its sha256."""
    digest = sha256_of(part)
    if item.sha256 and digest != item.sha256:
        _discard(part, f"{item.file_name}: checksum mismatch (expected {item.sha256})")
    if item.file_name.endswith(".json"):
        try:
            json.loads(part.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            _discard(part, f"{item.file_name}: the downloaded metadata is not JSON")
    elif item.file_name.endswith(".pb"):
        _check_graph(item, part, target)
    return digest


def _present_and_intact(item: ModelDownload, target: Path, entry: ManifestEntry | None) -> bool:
    """Whether `target` can stay. A pinned checksum wins over the manifest, and a file that
    misses its pin is downloaded again; one that changed since it was fetched is reported."""
    if not target.exists():
        return False
    if item.sha256:
        return _mismatches_pin(item.path, target, item.sha256) is None
    problem = _changed(item.path, target, entry) if entry else None
    if problem:
        raise ChangedFile(problem)
    return True


def download(
    item: ModelDownload,
    dest: Path,
    base_url: str = BASE_URL,
    progress: Progress | None = None,
    timeout: float = 30.0,
) -> bool:
    """Fetch one file into `dest` unless it is already there and intact (ChangedFile when it
    changed since it was fetched). Returns True when something was downloaded."""
    target = dest / item.path
    entry = load_manifest(dest).get(item.path)  # also: an unreadable manifest fails up front
    if _present_and_intact(item, target, entry):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    url = f"{base_url.rstrip('/')}/{item.path}"
    response = _open(url, offset, timeout)
    if response is not None:
        with response:
            _receive(response, part, offset, item.file_name, progress)
    digest = _verify(item, part, target)
    size = part.stat().st_size
    move_into_place(part, target)
    _record(dest, item.path, digest, size)
    logger.info("downloaded %s", url)
    return True


def _metadata_first(files: Iterable[ModelDownload]) -> list[ModelDownload]:
    """The files in their order, except that each graph's `.json` comes before its `.pb`, so the
    graph can be checked against the nodes the metadata declares."""
    items = list(files)
    by_path = {item.path: item for item in items}
    ordered: dict[str, ModelDownload] = {}
    for item in items:
        companion = by_path.get(item.path.removesuffix(".pb") + ".json")
        if item.path.endswith(".pb") and companion is not None:
            ordered.setdefault(companion.path, companion)
        ordered.setdefault(item.path, item)
    return list(ordered.values())


def fetch_set(
    files: Iterable[ModelDownload],
    dest: str | os.PathLike,
    base_url: str = BASE_URL,
    progress: Progress | None = None,
    timeout: float = 30.0,
    report: FetchReport | None = None,
) -> FetchReport:
    """Download every missing file of a set; stops at the first failure (FetchError). Files
    that changed since they were fetched are left alone and listed in the report (pass one in
    to read it after a failure)."""
    report = report if report is not None else FetchReport()
    for item in _metadata_first(files):
        try:
            done = download(item, Path(dest), base_url, progress, timeout)
        except ChangedFile as exc:
            report.changed.append(exc.problem)
            continue
        (report.downloaded if done else report.present).append(item.path)
    return report


def verify_folder(dest: str | os.PathLike, pins: Mapping[str, str]) -> VerifyReport:
    """Recompute the checksum of every file recorded in the manifest and of every present file
    with a pinned checksum (`pins`, by relative path), which wins over the manifest."""
    root = Path(dest)
    recorded = load_manifest(root)
    paths = set(recorded) | {path for path in pins if (root / path).exists()}
    report = VerifyReport()
    for path in sorted(paths):
        file = root / path
        if not file.is_file():
            message = f"{path} was fetched but is missing; run `nom models fetch` to get it again."
            report.problems.append(FileProblem(path, message))
            continue
        if path in pins:
            problem = _mismatches_pin(path, file, pins[path])
        else:
            problem = _changed(path, file, recorded[path])
        if problem:
            report.problems.append(problem)
        else:
            report.intact.append(path)
    return report
