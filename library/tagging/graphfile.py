"""Checks that a frozen TensorFlow graph (`.pb`, a GraphDef) is complete and has the nodes its
metadata names, with a small protobuf wire-format reader: no TensorFlow, no protobuf, and the
weights are skipped by their length, never copied."""

from __future__ import annotations

import mmap
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from library.tagging.metadata import ModelMetadata

# Wire types (https://protobuf.dev/programming-guides/encoding/); groups (3, 4) are not used by
# GraphDef, so meeting one means the bytes are not a GraphDef.
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5
_GRAPH_NODE = 1  # GraphDef.node: repeated NodeDef
_NODE_NAME, _NODE_OP = 1, 2  # NodeDef.name, NodeDef.op: string
_OUTPUT_INDEX = re.compile(r":\d+$")

Buffer = bytes | mmap.mmap


class GraphFileError(ValueError):
    """A file that is not a complete GraphDef, or lacks a node its metadata declares."""


def _varint(buf: Buffer, pos: int, end: int) -> tuple[int, int]:
    """The varint at `pos` and the position after it."""
    start, result, shift = pos, 0, 0
    while True:
        if pos >= end:
            raise GraphFileError(f"a number at byte {start} is cut off")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise GraphFileError(f"a number at byte {start} is longer than 10 bytes")


def _fields(buf: Buffer, pos: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, value start, value end) of each field of the message in
    buf[pos:end]; a value that would run past `end` means the bytes are cut off or corrupt."""
    while pos < end:
        at = pos
        key, pos = _varint(buf, pos, end)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise GraphFileError(f"invalid field number 0 at byte {at}")
        start = pos
        if wire == _VARINT:
            _, stop = _varint(buf, pos, end)
        elif wire == _FIXED64:
            stop = pos + 8
        elif wire == _FIXED32:
            stop = pos + 4
        elif wire == _LENGTH:
            length, start = _varint(buf, pos, end)
            stop = start + length
        else:
            raise GraphFileError(f"unknown wire type {wire} at byte {at}")
        if stop > end:
            raise GraphFileError(
                f"field {field} at byte {at} needs {stop - end} more bytes than its "
                f"message holds (byte {end}): the file is cut off or corrupt"
            )
        yield field, wire, start, stop
        pos = stop


def _text(buf: Buffer, start: int, stop: int, at: int) -> str:
    try:
        return bytes(buf[start:stop]).decode("utf-8")
    except UnicodeDecodeError:
        raise GraphFileError(f"the node at byte {at} has a name that is not UTF-8") from None


def _node_name(buf: Buffer, start: int, stop: int) -> str:
    name = op = ""
    for field, wire, value_start, value_stop in _fields(buf, start, stop):
        if field in (_NODE_NAME, _NODE_OP):
            if wire != _LENGTH:
                raise GraphFileError(f"the node at byte {start} has a malformed name or op")
            text = _text(buf, value_start, value_stop, start)
            if field == _NODE_NAME:
                name = text
            else:
                op = text
    if not name or not op:
        raise GraphFileError(f"the node at byte {start} has no {'name' if not name else 'op'}")
    return name


def node_names(buf: Buffer) -> list[str]:
    """The node names of the serialized GraphDef in `buf`, which must hold exactly one GraphDef
    (every field complete up to the last byte) with at least one node."""
    names = []
    for field, wire, start, stop in _fields(buf, 0, len(buf)):
        if field == _GRAPH_NODE:
            if wire != _LENGTH:
                raise GraphFileError(f"field 1 (node) has wire type {wire}, not a message")
            names.append(_node_name(buf, start, stop))
    if not names:
        raise GraphFileError("the graph has no nodes")
    return names


def read_node_names(path: Path) -> list[str]:
    """The node names of the GraphDef in the file at `path` (memory-mapped, not read)."""
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise GraphFileError("the file is empty")  # and mmap cannot map an empty file
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return node_names(buf)


def node_of(tensor: str) -> str:
    """The node behind a tensor name: `PartitionedCall:1` -> `PartitionedCall`."""
    return _OUTPUT_INDEX.sub("", tensor)


def declared_nodes(meta: ModelMetadata) -> list[str]:
    """The graph nodes a model's metadata names: its input and every output."""
    return [node_of(name) for name in (meta.input_name, *(o.name for o in meta.outputs))]


def check_graph(
    path: Path, required: Iterable[str], metadata_name: str, name: str | None = None
) -> None:
    """Raise GraphFileError unless `path` holds a complete GraphDef with every node behind the
    tensor names in `required` (which `metadata_name`, the .json file, declares). Messages call
    the graph `name` (default: the file's name)."""
    name = name or path.name
    try:
        names = read_node_names(path)
    except GraphFileError as exc:
        raise GraphFileError(f"{name} is not a complete TensorFlow graph ({exc})") from None
    missing = missing_nodes(names, required)
    if missing:
        listed = ", ".join(f"'{node}'" for node in missing)
        raise GraphFileError(
            f"{name} has no node named {listed}, which {metadata_name} declares (if one of "
            "the two is from another version of the model, replace both)"
        )


def missing_nodes(names: Iterable[str], required: Iterable[str]) -> list[str]:
    """The nodes behind the tensor names in `required` that are not among `names`, in order."""
    present = set(names)
    wanted = dict.fromkeys(node_of(tensor) for tensor in required)  # ordered, no repeats
    return [node for node in wanted if node not in present]
