"""Writes tiny frozen TensorFlow graphs (GraphDef .pb) with the node names, shapes and JSON
metadata of Essentia's published models, using only the protobuf classes tensorboard ships."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tensorboard.compat.proto import (
    attr_value_pb2,
    graph_pb2,
    node_def_pb2,
    tensor_pb2,
    tensor_shape_pb2,
    types_pb2,
)

MODELS_URL = "https://essentia.upf.edu/models"


class _Graph:
    """A GraphDef under construction; every helper returns the new node's name."""

    def __init__(self, seed: int) -> None:
        self.graph = graph_pb2.GraphDef()
        self.rng = np.random.default_rng(seed)

    def _node(self, name: str, op: str, inputs: list[str], **attrs) -> str:
        node = node_def_pb2.NodeDef(name=name, op=op, input=inputs)
        for key, value in attrs.items():
            node.attr[key].CopyFrom(value)
        self.graph.node.append(node)
        return name

    @staticmethod
    def _float() -> attr_value_pb2.AttrValue:
        return attr_value_pb2.AttrValue(type=types_pb2.DT_FLOAT)

    def placeholder(self, name: str, shape: list[int]) -> str:
        dims = [tensor_shape_pb2.TensorShapeProto.Dim(size=size) for size in shape]
        return self._node(
            name,
            "Placeholder",
            [],
            dtype=self._float(),
            shape=attr_value_pb2.AttrValue(shape=tensor_shape_pb2.TensorShapeProto(dim=dims)),
        )

    def const(self, name: str, array: np.ndarray) -> str:
        if array.dtype == np.int32:
            dtype = types_pb2.DT_INT32
        else:
            array, dtype = array.astype(np.float32), types_pb2.DT_FLOAT
        dims = [tensor_shape_pb2.TensorShapeProto.Dim(size=size) for size in array.shape]
        tensor = tensor_pb2.TensorProto(
            dtype=dtype,
            tensor_shape=tensor_shape_pb2.TensorShapeProto(dim=dims),
            tensor_content=array.tobytes(),
        )
        return self._node(
            name,
            "Const",
            [],
            dtype=attr_value_pb2.AttrValue(type=dtype),
            value=attr_value_pb2.AttrValue(tensor=tensor),
        )

    def mean_over_time(self, name: str, source: str) -> str:
        """[batch, frames, bands] -> [batch, bands], so patches with different content differ."""
        axis = self.const(f"{name}/axis", np.array([1], dtype=np.int32))
        return self._node(
            name,
            "Mean",
            [source, axis],
            T=self._float(),
            Tidx=attr_value_pb2.AttrValue(type=types_pb2.DT_INT32),
            keep_dims=attr_value_pb2.AttrValue(b=False),
        )

    def dense(self, name: str, source: str, inputs: int, outputs: int) -> str:
        weights = self.const(f"{name}/kernel", self.rng.normal(0, 0.3, (inputs, outputs)))
        bias = self.const(f"{name}/bias", self.rng.normal(0, 0.1, (outputs,)))
        product = self._node(f"{name}/MatMul", "MatMul", [source, weights], T=self._float())
        return self._node(f"{name}/BiasAdd", "BiasAdd", [product, bias], T=self._float())

    def unary(self, name: str, op: str, source: str) -> str:
        return self._node(name, op, [source], T=self._float())

    def identity_n(self, name: str, sources: list[str]) -> str:
        """One node with several outputs, addressed by Essentia as `name:0`, `name:1`, ..."""
        types = attr_value_pb2.AttrValue.ListValue(type=[types_pb2.DT_FLOAT] * len(sources))
        return self._node(name, "IdentityN", sources, T=attr_value_pb2.AttrValue(list=types))

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.graph.SerializeToString())
        return path


@dataclass(frozen=True)
class Backbone:
    name: str  # file stem, e.g. discogs-effnet-bs64-1
    family: str  # folder under feature-extractors
    algorithm: str
    input_name: str
    input_shape: tuple[int, int]  # frames, bands of one patch
    embedding_output: str
    embedding_size: int
    predictions_output: str | None
    predictions_size: int


EFFNET = Backbone(
    "discogs-effnet-bs64-1",
    "discogs-effnet",
    "TensorflowPredictEffnetDiscogs",
    "serving_default_melspectrogram",
    (128, 96),
    "PartitionedCall:1",
    1280,
    "PartitionedCall:0",
    400,
)
MUSICNN = Backbone(
    "msd-musicnn-1",
    "musicnn",
    "TensorflowPredictMusiCNN",
    "model/Placeholder",
    (187, 96),
    "model/dense/BiasAdd",
    200,
    "model/Sigmoid",
    50,
)
VGGISH = Backbone(
    "audioset-vggish-3",
    "vggish",
    "TensorflowPredictVGGish",
    "model/Placeholder",
    (96, 64),
    "model/vggish/embeddings",
    128,
    None,
    0,
)
BACKBONES = {b.name: b for b in (EFFNET, MUSICNN, VGGISH)}


def _io(name: str, shape: list, op: str | None = None, purpose: str | None = None) -> dict:
    entry: dict = {"name": name, "type": "float", "shape": shape}
    if op:
        entry["op"] = op
    if purpose:
        entry["output_purpose"] = purpose
    return entry


def write_backbone(models_dir: Path, backbone: Backbone, seed: int = 1) -> Path:
    """Write `<family>/<name>.pb` and its `.json` the way Essentia's model site lays them out."""
    graph = _Graph(seed)
    frames, bands = backbone.input_shape
    source = graph.placeholder(backbone.input_name, [-1, frames, bands])
    pooled = graph.mean_over_time("features/mean", source)
    outputs = []
    if backbone is EFFNET:
        hidden = graph.dense("features/dense", pooled, bands, backbone.embedding_size)
        embeddings = graph.unary("features/tanh", "Tanh", hidden)
        logits = graph.dense("classifier", pooled, bands, backbone.predictions_size)
        predictions = graph.unary("classifier/Sigmoid", "Sigmoid", logits)
        graph.identity_n("PartitionedCall", [predictions, embeddings])
        outputs = [
            _io("PartitionedCall:0", [64, 400], "Sigmoid", "predictions"),
            _io("PartitionedCall:1", [64, 1280], "Flatten", "embeddings"),
        ]
    elif backbone is MUSICNN:
        # The published TF1 layout (convolutions over frames and bands), small; imported here
        # because musicnn_graph builds on this module's _Graph.
        from tests.support.musicnn_graph import musicnn_layout

        graph = musicnn_layout(filters=8, seed=seed)
        outputs = [
            _io("model/Sigmoid", ["batch_size", 50], "Sigmoid", "predictions"),
            _io("model/dense/BiasAdd", ["batch_size", 200], "BiasAdd", "embeddings"),
        ]
    else:
        hidden = graph.dense("model/vggish/fc2", pooled, bands, backbone.embedding_size)
        graph.unary("model/vggish/embeddings", "Identity", hidden)
        outputs = [_io("model/vggish/embeddings", ["batch_size", 128], "Identity", "embeddings")]
    folder = models_dir / "feature-extractors" / backbone.family
    path = graph.write(folder / f"{backbone.name}.pb")
    metadata = {
        "name": backbone.name,
        "type": "feature extractor",
        "link": f"{MODELS_URL}/feature-extractors/{backbone.family}/{backbone.name}.pb",
        "version": "1",
        "framework": "tensorflow",
        "classes": [f"class {i}" for i in range(backbone.predictions_size)],
        "schema": {
            "inputs": [_io(backbone.input_name, ["batch_size", frames, bands])],
            "outputs": outputs,
        },
        "inference": {"sample_rate": 16000, "algorithm": backbone.algorithm},
    }
    (folder / f"{backbone.name}.json").write_text(json.dumps(metadata, indent=4))
    return path


def write_head(
    models_dir: Path,
    task: str,
    backbone: Backbone,
    classes: list[str] | None,
    seed: int = 2,
    savedmodel_names: bool = False,
    extra: dict | None = None,
    regression: bool = False,
    extra_op: str | None = None,
) -> Path:
    """Write `classification-heads/<task>/<task>-<backbone>-1.pb` and its `.json`. `classes=None`
    makes a regression head (one output, `model/Identity`); `regression=True` with one class
    makes one as Essentia publishes them, its metadata naming the quantity as the only class
    (`approachability_regression`: ["approachability"]). `savedmodel_names` uses the
    `serving_default_model_Placeholder` -> `PartitionedCall:0` names some effnet heads have.
    `extra_op` puts one more unary operation (e.g. `Digamma`, which TensorFlow runs and
    OpenVINO cannot convert) between the hidden layer and the output layer."""
    graph = _Graph(seed)
    size = backbone.embedding_size
    outputs = len(classes) if classes else 1
    input_name = "serving_default_model_Placeholder" if savedmodel_names else "model/Placeholder"
    source = graph.placeholder(input_name, [-1, size])
    hidden = graph.unary("model/dense/Relu", "Relu", graph.dense("model/dense", source, size, 16))
    if extra_op:
        squashed = graph.unary("model/extra/Sigmoid", "Sigmoid", hidden)
        hidden = graph.unary(f"model/extra/{extra_op}", extra_op, squashed)
    logits = graph.dense("model/dense_1", hidden, 16, outputs)
    if classes is None or regression:
        output, op = graph.unary("model/Identity", "Identity", logits), "Identity"
    elif savedmodel_names:
        graph.identity_n("PartitionedCall", [graph.unary("model/Sigmoid", "Sigmoid", logits)])
        output, op = "PartitionedCall:0", "Sigmoid"
    else:
        output, op = graph.unary("model/Softmax", "Softmax", logits), "Softmax"
    # Heads are named <task>-<dataset>-<architecture>-<head version>.
    dataset_arch = backbone.name.replace("-bs64", "").rsplit("-", 1)[0]
    stem = f"{task}-{dataset_arch}-1"
    folder = models_dir / "classification-heads" / task
    path = graph.write(folder / f"{stem}.pb")
    metadata = {
        "name": task.replace("_", " ").title(),
        "type": "regression" if classes is None or regression else "multi-class classifier",
        "link": f"{MODELS_URL}/classification-heads/{task}/{stem}.pb",
        "version": "1",
        "schema": {
            "inputs": [_io(input_name, ["batch_size", size])],
            "outputs": [_io(output, ["batch_size", outputs], op, "predictions")],
        },
        "inference": {
            "sample_rate": 16000,
            "algorithm": "TensorflowPredict2D",
            "embedding_model": {
                "algorithm": backbone.algorithm,
                "model_name": backbone.name,
                "link": f"{MODELS_URL}/feature-extractors/{backbone.family}/{backbone.name}.pb",
            },
        },
    }
    if classes is not None:
        metadata["classes"] = classes
    metadata.update(extra or {})
    (folder / f"{stem}.json").write_text(json.dumps(metadata, indent=4))
    return path


GENRES = [f"Genre{i // 20}---Style{i}" for i in range(400)]


def write_standard_suite(models_dir: Path) -> Path:
    """The models the tests use: effnet with moods, danceability, genre and a regression head
    (with its metadata as published: one class, an `Identity` output); musicnn with two heads;
    vggish with one."""
    write_backbone(models_dir, EFFNET, seed=1)
    write_backbone(models_dir, MUSICNN, seed=3)
    write_backbone(models_dir, VGGISH, seed=5)
    write_head(models_dir, "mood_happy", EFFNET, ["happy", "non_happy"], seed=11)
    write_head(models_dir, "mood_sad", EFFNET, ["non_sad", "sad"], seed=12)
    write_head(models_dir, "danceability", EFFNET, ["danceable", "not_danceable"], seed=13)
    write_head(models_dir, "genre_discogs400", EFFNET, GENRES, seed=14, savedmodel_names=True)
    write_head(
        models_dir, "approachability_regression", EFFNET, ["approachability"], 15, regression=True
    )
    write_head(models_dir, "mood_relaxed", MUSICNN, ["non_relaxed", "relaxed"], seed=16)
    write_head(models_dir, "danceability", MUSICNN, ["danceable", "not_danceable"], seed=17)
    write_head(models_dir, "mood_party", VGGISH, ["non_party", "party"], seed=18)
    return models_dir
