"""Freezes a randomly initialised Keras EfficientNet-B0 into a GraphDef shaped like Essentia's
`discogs-effnet-bs64-1.pb`; run with the benchmark's own TensorFlow venv, not the app's.

    benchmarks/.venv-tf/bin/python benchmarks/effnet_graph.py OUT.pb [--seed 1]

Input `serving_default_melspectrogram` [batch, 128, 96]; node `PartitionedCall` output 0 is the
400 sigmoid predictions, output 1 the 1280-d embeddings (global average pool of the backbone),
as in the published model. The graph is what the TensorFlow inside essentia-tensorflow imports.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path and benchmarks/queue.py would shadow the
# standard `queue` module that TensorFlow's imports need.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse  # noqa: E402
import os  # noqa: E402
from collections import Counter  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
from tensorflow.core.framework import types_pb2  # noqa: E402
from tensorflow.python.framework.convert_to_constants import (  # noqa: E402
    convert_variables_to_constants_v2,
)

FRAMES, BANDS = 128, 96
INPUT_NAME = "serving_default_melspectrogram"
OUTPUT_NODE = "PartitionedCall"
CLASSES = 400


def build_model(seed: int) -> tf.keras.Model:
    """EfficientNet-B0 (random weights) on a one-channel mel patch, 1280-d pool, 400 sigmoids."""
    tf.keras.utils.set_random_seed(seed)
    patches = tf.keras.Input(shape=(FRAMES, BANDS), name="melspectrogram")
    image = tf.keras.layers.Reshape((FRAMES, BANDS, 1))(patches)
    backbone = tf.keras.applications.EfficientNetB0(
        include_top=False, weights=None, input_shape=(FRAMES, BANDS, 1), pooling="avg"
    )
    embeddings = backbone(image)
    predictions = tf.keras.layers.Dense(CLASSES, activation="sigmoid")(embeddings)
    return tf.keras.Model(patches, [predictions, embeddings])


def freeze(model: tf.keras.Model):
    """The inference graph with variables folded into constants, outputs behind one
    `PartitionedCall` node (IdentityN) so they are addressed as `PartitionedCall:0/1`."""
    function = tf.function(lambda patches: model(patches, training=False))
    spec = tf.TensorSpec([None, FRAMES, BANDS], tf.float32, name=INPUT_NAME)
    frozen = convert_variables_to_constants_v2(function.get_concrete_function(spec))
    graph = frozen.graph.as_graph_def()
    outputs = [tensor.name.split(":")[0] for tensor in frozen.outputs]
    node = graph.node.add(name=OUTPUT_NODE, op="IdentityN", input=outputs)
    node.attr["T"].list.type.extend([types_pb2.DT_FLOAT] * len(outputs))
    placeholders = [n.name for n in graph.node if n.op == "Placeholder"]
    if placeholders != [INPUT_NAME]:
        raise SystemExit(f"unexpected inputs {placeholders}")
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model = build_model(args.seed)
    graph = freeze(model)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_suffix(".partial")
    partial.write_bytes(graph.SerializeToString())
    partial.replace(args.output)
    ops = Counter(node.op for node in graph.node)
    busy = ", ".join(f"{op} {n}" for op, n in ops.most_common() if op != "Const")
    print(
        f"TensorFlow {tf.__version__}: {model.count_params():,} parameters, "
        f"{len(graph.node)} nodes ({busy}), {args.output.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
