"""The GraphDef wire reader: real graphs (serialized by protobuf itself) give their node names,
unknown fields of every wire type are skipped, and cut-off or garbage bytes are refused."""

from __future__ import annotations

import pytest
from tensorboard.compat.proto import graph_pb2, versions_pb2

from library.tagging import metadata
from library.tagging.graphfile import (
    GraphFileError,
    declared_nodes,
    missing_nodes,
    node_names,
    node_of,
    read_node_names,
)


def graph_files(models_dir):
    return sorted(models_dir.rglob("*.pb"))


def protobuf_names(data: bytes) -> list[str]:
    return [node.name for node in graph_pb2.GraphDef.FromString(data).node]


def effnet_graph(models_dir) -> bytes:
    return next(models_dir.rglob("discogs-effnet-bs64-1.pb")).read_bytes()


def test_every_generated_graph_gives_the_node_names_protobuf_reads(models_dir):
    files = graph_files(models_dir)
    assert len(files) == 11

    for path in files:
        names = read_node_names(path)
        assert names == protobuf_names(path.read_bytes()), path.name
        assert len(names) > 5


def test_the_nodes_the_metadata_declares_are_found_in_each_graph(models_dir):
    for path in graph_files(models_dir):
        meta = metadata.load(path.with_suffix(".json"))

        assert missing_nodes(read_node_names(path), declared_nodes(meta)) == [], path.name

    effnet = metadata.load(next(models_dir.rglob("discogs-effnet-bs64-1.json")))
    assert declared_nodes(effnet) == [
        "serving_default_melspectrogram",
        "PartitionedCall",
        "PartitionedCall",
    ]


def test_a_tensor_name_is_reduced_to_its_node():
    assert node_of("PartitionedCall:0") == "PartitionedCall"
    assert node_of("PartitionedCall:12") == "PartitionedCall"
    assert node_of("model/Softmax") == "model/Softmax"
    assert missing_nodes(["a", "b"], ["a:0", "c:1", "c", "b"]) == ["c"]


def test_a_graph_cut_inside_a_field_is_refused_at_any_such_offset(models_dir):
    data = effnet_graph(models_dir)
    kernel = data.index(b"features/dense/kernel")  # its float weights follow shortly after
    offsets = [1, 2, 5, kernel, kernel + 200, kernel + 40_000, len(data) // 2, len(data) - 1]

    for offset in offsets:
        with pytest.raises(GraphFileError):
            node_names(data[:offset])


def test_every_cut_either_breaks_the_structure_or_drops_a_declared_node(models_dir):
    """A cut exactly between two nodes leaves a valid, shorter graph; the declared output,
    the last node, is then gone."""
    path = next(models_dir.rglob("mood_sad-discogs-effnet-1.pb"))
    data = path.read_bytes()
    declared = declared_nodes(metadata.load(path.with_suffix(".json")))
    structural = 0

    for offset in range(0, len(data), 7):
        try:
            names = node_names(data[:offset])
        except GraphFileError:
            structural += 1
            continue
        assert missing_nodes(names, declared), offset

    assert structural > len(data) // 7 * 0.9  # most cuts fall inside a field


def test_a_graph_with_fields_the_reader_does_not_know_is_read(models_dir):
    graph = graph_pb2.GraphDef.FromString(effnet_graph(models_dir))
    graph.versions.CopyFrom(versions_pb2.VersionDef(producer=1205, min_consumer=12))
    graph.version = 7  # deprecated varint field
    graph.node[0].device = "/device:CPU:0"
    graph.node[0].experimental_debug_info.original_node_names.append("original")
    # unknown fields: 15 as fixed64 and 16 as fixed32, before and after the nodes
    fixed64 = bytes([15 << 3 | 1]) + b"\x01" * 8
    fixed32 = bytes([(16 << 3 | 5) & 0x7F | 0x80, (16 << 3 | 5) >> 7]) + b"\x02" * 4
    data = fixed64 + graph.SerializeToString() + fixed32

    assert node_names(data) == [node.name for node in graph.node]
    with pytest.raises(GraphFileError, match="cut off"):
        node_names(data[:-1])  # the trailing fixed32 is one byte short


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"<!DOCTYPE html><html><body>Not Found</body></html>", "wire type"),
        (b"\x00\x01", "field number 0"),
        (b"\x18\x01", "no nodes"),  # a valid message (a version), but no node
        (b"\x0a\x02\x18\x01", "no name"),  # a node with only an unknown varint
        (b"\x0a\x03\x0a\x01a", "no op"),
        (b"\x0a\x04\x08\x01\x12\x00", "malformed name"),  # name as a varint
        (b"\x08" + b"\xff" * 11, "longer than 10 bytes"),
        (b"\x0a\x04\x0a\x02\xff\xfe\x12\x01x", "not UTF-8"),
    ],
)
def test_bytes_that_are_not_a_graph_are_refused(data, reason):
    with pytest.raises(GraphFileError, match=reason):
        node_names(data)


def test_an_empty_file_is_refused(tmp_path):
    (tmp_path / "empty.pb").write_bytes(b"")

    with pytest.raises(GraphFileError, match="empty"):
        read_node_names(tmp_path / "empty.pb")
