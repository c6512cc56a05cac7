"""Reading an NZB file safely before it is handed to a downloader: size-bounded (also when
gzip-compressed: a gzip bomb is refused while it inflates), parsed with `defusedxml` (no
entity declarations, no external references), and checked to be an NZB: the root `nzb` in the
newzbin namespace or none, at least one `file` with `groups/group` and `segments/segment`
elements whose `bytes` and `number` are whole numbers.

A DOCTYPE without declarations is allowed: published NZBs carry
`<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" ...>`, and expat never loads it.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from nomarr_site.domain import Invalid

NAMESPACE = "http://www.newzbin.com/DTD/2003/nzb"
MAX_NZB_BYTES = 64 * 1024 * 1024  # an NZB of a 100 GB release is a few MB
CHUNK = 64 * 1024
_WHOLE = re.compile(r"[0-9]{1,18}")


class NzbInvalid(Invalid):
    """The file is not an NZB Nomarr will hand over; `message` says why."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message, details={"file_path": path} if path else None)


@dataclass(frozen=True)
class Nzb:
    """A checked NZB: its XML (inflated) and what it holds."""

    name: str  # the file name to hand over, ending in .nzb
    content: bytes
    files: int
    segments: int
    total_bytes: int


def is_nzb_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(".nzb") or lower.endswith(".nzb.gz")


def read_nzb(path: Path, limit: int = MAX_NZB_BYTES) -> Nzb:
    """The checked NZB at `path` (`.nzb` or `.nzb.gz`); `NzbInvalid` naming the problem."""
    text = str(path)
    gzipped = path.name.lower().endswith(".gz")
    try:
        with path.open("rb") as stream:
            raw = _inflate(stream, limit, text) if gzipped else _bounded(stream, limit, text)
    except OSError as exc:
        raise NzbInvalid(f"The NZB cannot be read: {exc.strerror}", text) from None
    root = _parse(raw, text)
    files, segments, total = _check(root, text)
    name = path.name[:-3] if gzipped else path.name
    return Nzb(name=name, content=raw, files=files, segments=segments, total_bytes=total)


def _bounded(stream: BinaryIO, limit: int, path: str) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise NzbInvalid(f"The NZB is larger than {limit // (1024 * 1024)} MiB", path)
    return bytes(data)


def _inflate(stream: BinaryIO, limit: int, path: str) -> bytes:
    """gzip data inflated chunk by chunk, refused as soon as the output passes `limit`."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer
    out = bytearray()
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            out += inflater.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit or inflater.unconsumed_tail:
                raise NzbInvalid(
                    f"The NZB inflates to more than {limit // (1024 * 1024)} MiB; refused", path
                )
            if inflater.eof:
                break
        if not inflater.eof:
            raise NzbInvalid("The .nzb.gz file is truncated (the gzip stream does not end)", path)
    except zlib.error as exc:
        raise NzbInvalid(f"The .nzb.gz file is not valid gzip data: {exc}", path) from None
    return bytes(out)


def _parse(raw: bytes, path: str) -> Element:
    try:
        root: Element = fromstring(
            raw, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        return root
    except DefusedXmlException:
        raise NzbInvalid(
            "The NZB declares XML entities or external references, which are refused", path
        ) from None
    except ParseError as exc:
        raise NzbInvalid(f"The NZB is not well-formed XML: {exc}", path) from None


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


def _check(root: Element, path: str) -> tuple[int, int, int]:
    if _local(str(root.tag), path) != "nzb":
        raise NzbInvalid(f"The root element is <{root.tag}>, not <nzb>", path)
    files = _children(root, "file", path)
    if not files:
        raise NzbInvalid("The NZB lists no <file>", path)
    segments = total = 0
    for index, item in enumerate(files, 1):
        groups = [
            g for block in _children(item, "groups", path) for g in _children(block, "group", path)
        ]
        if not any((g.text or "").strip() for g in groups):
            raise NzbInvalid(f"File {index} of the NZB names no newsgroup", path)
        parts = [
            s
            for block in _children(item, "segments", path)
            for s in _children(block, "segment", path)
        ]
        if not parts:
            raise NzbInvalid(f"File {index} of the NZB has no segments", path)
        for segment in parts:
            for attribute in ("bytes", "number"):
                value = (segment.get(attribute) or "").strip()
                if not _WHOLE.fullmatch(value):
                    raise NzbInvalid(
                        f"A segment of file {index} has {attribute}={value!r}; "
                        "expected a whole number",
                        path,
                    )
            if not (segment.text or "").strip():
                raise NzbInvalid(f"A segment of file {index} has no message id", path)
            total += int(segment.get("bytes", "0"))
        segments += len(parts)
    return len(files), segments, total
