"""Freezes a randomly initialised MusiCNN of msd-musicnn's size into a GraphDef shaped like
Essentia's `msd-musicnn-1.pb`; run with the benchmark's own TensorFlow venv, not the app's.

    benchmarks/.venv-tf/bin/python benchmarks/musicnn_graph.py OUT.pb [--seed 1]

The layout of Pons et al.'s MusiCNN as published for MSD: a batch-normalised input; a timbral
front end (7x38 and 7x67 filters over the 96 mel bands, 204 each, max-pooled over frequency)
and a temporal front end (128-, 64- and 32-frame filters, 51 each, on the band average); a mid
end of three 1-D convolutions (64 filters, kernel 7) with residual connections, all outputs
concatenated; max and mean pooling over time, dense 200 (the embedding, `model/dense/BiasAdd`,
before its non-linearity) and dense 50 with a sigmoid (`model/Sigmoid`). Input
`model/Placeholder` [batch, 187, 96]. About 790 k parameters.
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
from tensorflow.python.framework.convert_to_constants import (  # noqa: E402
    convert_variables_to_constants_v2,
)

FRAMES, BANDS = 187, 96
INPUT_NAME = "model/Placeholder"
EMBEDDINGS_NAME = "model/dense/BiasAdd"
PREDICTIONS_NAME = "model/Sigmoid"
layers = tf.keras.layers


def conv_block(source, filters: int, kernel: tuple[int, int]):
    """Convolution over time ('same' in time, 'valid' in frequency), batch norm, ReLU, then a
    max over what is left of the frequency axis: [batch, frames, filters]."""
    padded = layers.ZeroPadding2D(((kernel[0] // 2, (kernel[0] - 1) // 2), (0, 0)))(source)
    conv = layers.Conv2D(filters, kernel, padding="valid", activation="relu")(padded)
    normed = layers.BatchNormalization()(conv)
    pooled = layers.MaxPooling2D((1, normed.shape[2]))(normed)
    return layers.Reshape((FRAMES, filters))(pooled)


def build_model(seed: int) -> tf.keras.Model:
    tf.keras.utils.set_random_seed(seed)
    patches = tf.keras.Input(shape=(FRAMES, BANDS), name="melspectrogram")
    image = layers.BatchNormalization()(layers.Reshape((FRAMES, BANDS, 1))(patches))
    timbral = [conv_block(image, 204, (7, int(0.4 * BANDS))), conv_block(image, 204, (7, 67))]
    average = layers.AveragePooling2D((1, BANDS))(image)
    temporal = [conv_block(average, 51, (length, 1)) for length in (128, 64, 32)]
    front = layers.Concatenate()(timbral + temporal)
    mid = [front]
    for depth in range(3):
        conv = layers.Conv1D(64, 7, padding="same", activation="relu")(mid[-1])
        conv = layers.BatchNormalization()(conv)
        mid.append(conv if depth == 0 else layers.Add()([conv, mid[-1]]))
    dense = layers.Concatenate()(mid)
    pooled = layers.Concatenate()(
        [layers.GlobalMaxPooling1D()(dense), layers.GlobalAveragePooling1D()(dense)]
    )
    embeddings = layers.Dense(200)(layers.BatchNormalization()(pooled))
    hidden = layers.Dropout(0.5)(layers.BatchNormalization()(layers.ReLU()(embeddings)))
    predictions = layers.Dense(50, activation="sigmoid")(hidden)
    return tf.keras.Model(patches, [predictions, embeddings], name="musicnn")


def _rename(graph, old: str, new: str) -> None:
    """Give node `old` the name `new` and point every consumer at it."""
    for node in graph.node:
        if node.name == old:
            node.name = new
        for index, source in enumerate(node.input):
            base, _, port = source.lstrip("^").partition(":")
            if base == old:
                prefix = "^" if source.startswith("^") else ""
                node.input[index] = prefix + new + (f":{port}" if port else "")


def freeze(model: tf.keras.Model):
    """The inference graph with variables folded into constants and the published names on the
    input and on both outputs (Identity nodes)."""
    function = tf.function(lambda patches: model(patches, training=False))
    spec = tf.TensorSpec([None, FRAMES, BANDS], tf.float32, name="placeholder")
    frozen = convert_variables_to_constants_v2(function.get_concrete_function(spec))
    graph = frozen.graph.as_graph_def()
    placeholders = [n.name for n in graph.node if n.op == "Placeholder"]
    if len(placeholders) != 1:
        raise SystemExit(f"unexpected inputs {placeholders}")
    _rename(graph, placeholders[0], INPUT_NAME)
    predictions, embeddings = (tensor.name for tensor in frozen.outputs)
    for name, source in ((PREDICTIONS_NAME, predictions), (EMBEDDINGS_NAME, embeddings)):
        node = graph.node.add(name=name, op="Identity", input=[source.removesuffix(":0")])
        node.attr["T"].type = tf.float32.as_datatype_enum
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
