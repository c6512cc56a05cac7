"""Writes a frozen MusiCNN GraphDef in the layout of Essentia's `msd-musicnn-1.pb` (Pons et al.'s
TF1 code: `tf.expand_dims`, `layers.batch_normalization`, `tf.pad` over time, `layers.conv2d`,
`max_pooling2d` over frequency, `tf.squeeze`), with random weights, using only the protobuf
classes tensorboard ships. `filters` scales it: the published model has 204 timbral filters
per block (`num_filt` 1.6 x 128), 51 temporal ones and a mid end of 64.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, types_pb2

from tests.support.graphs import _Graph

INPUT = "model/Placeholder"
EMBEDDINGS = "model/dense/BiasAdd"
PREDICTIONS = "model/Sigmoid"
FRAMES, BANDS = 187, 96


def _ints(values: list[int]) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=values))


def _text(value: str) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(s=value.encode())


class _MusiCNN(_Graph):
    """The TF1 operations MusiCNN is made of, named as TensorFlow 1 names them."""

    def batch_norm(self, name: str, source: str, channels: int) -> str:
        params = [
            self.const(f"{name}/gamma", self.rng.uniform(0.5, 1.5, channels)),
            self.const(f"{name}/beta", self.rng.normal(0, 0.1, channels)),
            self.const(f"{name}/moving_mean", self.rng.normal(0, 0.1, channels)),
            self.const(f"{name}/moving_variance", self.rng.uniform(0.5, 1.5, channels)),
        ]
        return self._node(
            f"{name}/FusedBatchNormV3",
            "FusedBatchNormV3",
            [source, *params],
            T=self._float(),
            U=self._float(),
            epsilon=attr_value_pb2.AttrValue(f=0.001),
            data_format=_text("NHWC"),
            is_training=attr_value_pb2.AttrValue(b=False),
        )

    def expand(self, name: str, source: str, axis: int) -> str:
        dim = self.const(f"{name}/dim", np.array(axis, dtype=np.int32))
        return self._node(
            name,
            "ExpandDims",
            [source, dim],
            T=self._float(),
            Tdim=attr_value_pb2.AttrValue(type=types_pb2.DT_INT32),
        )

    def squeeze(self, name: str, source: str, axis: int) -> str:
        return self._node(name, "Squeeze", [source], T=self._float(), squeeze_dims=_ints([axis]))

    def pad_time(self, name: str, source: str, before: int, after: int, rank: int) -> str:
        pads = np.zeros((rank, 2), dtype=np.int32)
        pads[1] = (before, after)
        paddings = self.const(f"{name}/paddings", pads)
        return self._node(
            name,
            "Pad",
            [source, paddings],
            T=self._float(),
            Tpaddings=attr_value_pb2.AttrValue(type=types_pb2.DT_INT32),
        )

    def conv(self, name: str, source: str, kernel: tuple[int, int, int, int], same: bool) -> str:
        """conv2d (NHWC, HWIO kernel) + bias + ReLU, as `layers.conv2d(activation=relu)`."""
        scale = 1.0 / np.sqrt(kernel[0] * kernel[1] * kernel[2])
        weights = self.const(f"{name}/kernel", self.rng.normal(0, scale, kernel))
        bias = self.const(f"{name}/bias", self.rng.normal(0, 0.05, kernel[3]))
        conv = self._node(
            f"{name}/Conv2D",
            "Conv2D",
            [source, weights],
            T=self._float(),
            strides=_ints([1, 1, 1, 1]),
            dilations=_ints([1, 1, 1, 1]),
            padding=_text("SAME" if same else "VALID"),
            data_format=_text("NHWC"),
            use_cudnn_on_gpu=attr_value_pb2.AttrValue(b=True),
        )
        biased = self._node(f"{name}/BiasAdd", "BiasAdd", [conv, bias], T=self._float())
        return self._node(f"{name}/Relu", "Relu", [biased], T=self._float())

    def pool(self, name: str, op: str, source: str, width: int) -> str:
        """A pool over the whole frequency axis, one frame at a time."""
        return self._node(
            name,
            op,
            [source],
            T=self._float(),
            ksize=_ints([1, 1, width, 1]),
            strides=_ints([1, 1, width, 1]),
            padding=_text("VALID"),
            data_format=_text("NHWC"),
        )

    def concat(self, name: str, sources: list[str], axis: int) -> str:
        axis_node = self.const(f"{name}/axis", np.array(axis, dtype=np.int32))
        return self._node(
            name,
            "ConcatV2",
            [*sources, axis_node],
            T=self._float(),
            N=attr_value_pb2.AttrValue(i=len(sources)),
            Tidx=attr_value_pb2.AttrValue(type=types_pb2.DT_INT32),
        )

    def reduce(self, name: str, op: str, source: str, axis: int) -> str:
        axis_node = self.const(f"{name}/reduction_indices", np.array([axis], dtype=np.int32))
        return self._node(
            name,
            op,
            [source, axis_node],
            T=self._float(),
            Tidx=attr_value_pb2.AttrValue(type=types_pb2.DT_INT32),
            keep_dims=attr_value_pb2.AttrValue(b=False),
        )


def _block(graph: _MusiCNN, index: int, source: str, kernel: tuple, same: bool) -> str:
    """conv2d + ReLU, batch norm, max over what is left of frequency, squeeze: [b, frames, f]."""
    suffix = f"_{index}" if index else ""
    conv = graph.conv(f"model/conv2d{suffix}", source, kernel, same)
    normed = graph.batch_norm(f"model/batch_normalization_{index + 1}", conv, kernel[3])
    width = 1 if same else BANDS - kernel[1] + 1
    pooled = graph.pool(f"model/max_pooling2d{suffix}/MaxPool", "MaxPool", normed, width)
    return graph.squeeze(f"model/Squeeze{suffix}", pooled, 2)


def write_musicnn(path: Path, filters: int = 204, seed: int = 1) -> Path:
    """Write MusiCNN (see musicnn_layout) to `path`."""
    return musicnn_layout(filters, seed).write(path)


def musicnn_layout(filters: int = 204, seed: int = 1) -> _Graph:
    """MusiCNN with `filters` timbral filters per block (the temporal blocks get a quarter, the
    mid end's three residual 1-D convolutions 64 when filters is 204, scaled alike otherwise);
    input [batch, 187, 96]. At 204: about 780 k parameters, as the published 3.2 MB graph."""
    graph = _MusiCNN(seed)
    temporal, mid = max(1, filters // 4), max(2, filters * 64 // 204)
    source = graph.placeholder(INPUT, [-1, FRAMES, BANDS])
    image = graph.batch_norm(
        "model/batch_normalization", graph.expand("model/ExpandDims", source, 3), 1
    )
    padded = graph.pad_time("model/Pad", image, 3, 3, rank=4)
    front = [
        _block(graph, 0, padded, (7, int(0.4 * BANDS), 1, filters), same=False),
        _block(graph, 1, padded, (7, int(0.7 * BANDS), 1, filters), same=False),
    ]
    average = graph.pool("model/average_pooling2d/AvgPool", "AvgPool", image, BANDS)
    for index, length in enumerate((128, 64, 32), start=2):
        front.append(_block(graph, index, average, (length, 1, 1, temporal), same=True))
    features = graph.concat("model/concat", front, 2)
    channels = 2 * filters + 3 * temporal
    mids = [features]
    for depth in range(3):
        suffix = f"_{depth}" if depth else ""
        padded_mid = graph.pad_time(f"model/Pad_{depth + 1}", mids[-1], 3, 3, rank=3)
        row = graph.expand(f"model/conv1d{suffix}/ExpandDims", padded_mid, 1)
        width = channels if depth == 0 else mid
        conv = graph.conv(f"model/conv1d{suffix}", row, (1, 7, width, mid), same=False)
        out = graph.squeeze(f"model/conv1d{suffix}/Squeeze", conv, 1)
        if depth:
            out = graph._node(f"model/add{suffix}", "AddV2", [out, mids[-1]], T=graph._float())
        mids.append(out)
    dense_input = graph.concat("model/concat_1", mids, 2)
    pooled = graph.concat(
        "model/concat_2",
        [
            graph.reduce("model/Max", "Max", dense_input, 1),
            graph.reduce("model/Mean", "Mean", dense_input, 1),
        ],
        1,
    )
    embeddings = graph.dense("model/dense", pooled, 2 * (channels + 3 * mid), 200)
    hidden = graph.unary("model/Relu", "Relu", embeddings)
    logits = graph.dense("model/dense_1", hidden, 200, 50)
    assert embeddings == EMBEDDINGS
    graph.unary(PREDICTIONS, "Sigmoid", logits)
    return graph
