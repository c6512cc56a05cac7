"""Reading an NZB file safely before it is handed to a downloader: size-bounded (also when
gzip-compressed: a gzip bomb is refused while it inflates), parsed with `defusedxml` (no
entity declarations, no external references, nested at most `MAX_DEPTH` elements deep), and
checked to be an NZB: the root `nzb` in the newzbin namespace or none, at least one `file` with
`groups/group` and `segments/segment` elements whose `bytes` and `number` are whole numbers.

The file is read and parsed in chunks, and only the `file` element being read is kept as a
tree: `check_nzb` (the web process, on request) holds a chunk, never the NZB; `read_nzb` (the
job) also keeps the bytes, which it must send.

A DOCTYPE without declarations is allowed: published NZBs carry
`<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" ...>`, and expat never loads it.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import XMLParser  # type: ignore[import-untyped]

from nomarr_site.domain import Invalid

NAMESPACE = "http://www.newzbin.com/DTD/2003/nzb"
MAX_NZB_BYTES = 64 * 1024 * 1024  # an NZB of a 100 GB release is a few MB
CHUNK = 64 * 1024
# An NZB is four levels deep (nzb/file/segments/segment); deeper nesting is refused as it is
# read, so a small (gzipped) file cannot make the parser build a tree of millions of elements.
MAX_DEPTH = 16
_WHOLE = re.compile(r"[0-9]{1,18}")


class NzbInvalid(Invalid):
    """The file is not an NZB Nomarr will hand over; `message` says why."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message, details={"file_path": path} if path else None)


@dataclass(frozen=True)
class NzbSummary:
    """What a checked NZB holds."""

    name: str  # the file name to hand over, ending in .nzb
    files: int
    segments: int
    total_bytes: int


@dataclass(frozen=True)
class Nzb(NzbSummary):
    """A checked NZB with its XML (inflated)."""

    content: bytes


def is_nzb_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(".nzb") or lower.endswith(".nzb.gz")


def check_nzb(path: Path, limit: int = MAX_NZB_BYTES) -> NzbSummary:
    """What the NZB at `path` (`.nzb` or `.nzb.gz`) holds, checked a chunk at a time without
    keeping it; `NzbInvalid` naming the problem."""
    summary, _content = _scan(path, limit, keep=False)
    return summary


def read_nzb(path: Path, limit: int = MAX_NZB_BYTES) -> Nzb:
    """The checked NZB at `path` with its (inflated) bytes; `NzbInvalid` naming the problem."""
    summary, content = _scan(path, limit, keep=True)
    return Nzb(summary.name, summary.files, summary.segments, summary.total_bytes, content)


def _scan(path: Path, limit: int, *, keep: bool) -> tuple[NzbSummary, bytes]:
    text = str(path)
    gzipped = path.name.lower().endswith(".gz")
    checker = _Checker(text)
    parser = XMLParser(target=checker, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    kept = bytearray()
    try:
        with path.open("rb") as stream:
            chunks = _inflated(stream, limit, text) if gzipped else _bounded(stream, limit, text)
            for chunk in chunks:
                if keep:
                    kept += chunk
                _parse(text, parser.feed, chunk)
        _parse(text, parser.close)
    except OSError as exc:
        raise NzbInvalid(f"The NZB cannot be read: {exc.strerror}", text) from None
    if not checker.files:
        raise NzbInvalid("The NZB lists no <file>", text)
    name = path.name[:-3] if gzipped else path.name
    return NzbSummary(name, checker.files, checker.segments, checker.total), bytes(kept)


def _bounded(stream: BinaryIO, limit: int, path: str) -> Iterator[bytes]:
    read = 0
    while chunk := stream.read(CHUNK):
        read += len(chunk)
        if read > limit:
            raise NzbInvalid(f"The NZB is larger than {limit // (1024 * 1024)} MiB", path)
        yield chunk


def _inflated(stream: BinaryIO, limit: int, path: str) -> Iterator[bytes]:
    """gzip data inflated chunk by chunk, refused as soon as the output passes `limit`."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer
    out = 0
    while not inflater.eof:
        raw = inflater.unconsumed_tail or stream.read(CHUNK)
        if not raw:
            raise NzbInvalid("The .nzb.gz file is truncated (the gzip stream does not end)", path)
        try:
            chunk = inflater.decompress(raw, CHUNK)
        except zlib.error as exc:
            raise NzbInvalid(f"The .nzb.gz file is not valid gzip data: {exc}", path) from None
        out += len(chunk)
        if out > limit:
            raise NzbInvalid(
                f"The NZB inflates to more than {limit // (1024 * 1024)} MiB; refused", path
            )
        if chunk:
            yield chunk


def _parse(path: str, step: Callable[..., object], *chunk: bytes) -> None:
    """One parser step (`feed(chunk)` or `close()`), its errors as NzbInvalid."""
    try:
        step(*chunk)
    except DefusedXmlException:
        raise NzbInvalid(
            "The NZB declares XML entities or external references, which are refused", path
        ) from None
    except ParseError as exc:
        raise NzbInvalid(f"The NZB is not well-formed XML: {exc}", path) from None


class _Checker:
    """Parser target: checks the root as it starts and each `file` as it ends, building a tree
    of the one `file` being read only; other text is dropped."""

    def __init__(self, path: str):
        self.path = path
        self.depth = 0
        self.builder: TreeBuilder | None = None
        self.files = self.segments = self.total = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise NzbInvalid(f"The NZB is nested more than {MAX_DEPTH} elements deep", self.path)
        if self.depth == 1 and _local(tag, self.path) != "nzb":
            raise NzbInvalid(f"The root element is <{tag}>, not <nzb>", self.path)
        if self.depth == 2 and _local(tag, self.path) == "file":
            self.builder = TreeBuilder()
        if self.builder is not None:
            self.builder.start(tag, attrib)

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)

    def end(self, tag: str) -> None:
        self.depth -= 1
        if self.builder is None:
            return
        element = self.builder.end(tag)
        if self.depth == 1:
            self.builder = None
            self.files += 1
            segments, total = _check_file(element, self.files, self.path)
            self.segments += segments
            self.total += total

    def close(self) -> None:
        return None


def _local(tag: str, path: str) -> str:
    """The element's name, if it is in the NZB namespace or in none."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        if namespace != NAMESPACE:
            raise NzbInvalid(
                f"The NZB uses the namespace {namespace!r}; expected {NAMESPACE!r} or none", path
            )
        return name
    return tag


def _children(element: Element, name: str, path: str) -> list[Element]:
    return [child for child in element if _local(str(child.tag), path) == name]


def _check_file(item: Element, index: int, path: str) -> tuple[int, int]:
    """The segments and bytes of the NZB's `index`th `file`, checked."""
    groups = [
        g for block in _children(item, "groups", path) for g in _children(block, "group", path)
    ]
    if not any((g.text or "").strip() for g in groups):
        raise NzbInvalid(f"File {index} of the NZB names no newsgroup", path)
    parts = [
        s for block in _children(item, "segments", path) for s in _children(block, "segment", path)
    ]
    if not parts:
        raise NzbInvalid(f"File {index} of the NZB has no segments", path)
    total = 0
    for segment in parts:
        for attribute in ("bytes", "number"):
            value = (segment.get(attribute) or "").strip()
            if not _WHOLE.fullmatch(value):
                raise NzbInvalid(
                    f"A segment of file {index} has {attribute}={value!r}; expected a whole number",
                    path,
                )
        if not (segment.text or "").strip():
            raise NzbInvalid(f"A segment of file {index} has no message id", path)
        total += int(segment.get("bytes", "0"))
    return len(parts), total
