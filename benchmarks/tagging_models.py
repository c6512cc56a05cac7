"""The tagging benchmark's model suite: full-size stand-ins for Discogs-EffNet (Keras'
EfficientNet-B0, frozen by `effnet_graph.py` in a separate TensorFlow venv) and MSD-MusiCNN
(Pons et al.'s TF1 layout, written directly by tests/support/musicnn_graph.py), random
weights, cached, with small heads on both backbones as in the tests.

Each graph is built once per builder version and kept in `benchmarks/.cache/`; the TensorFlow
venv is created on first use at `benchmarks/.venv-tf/` (both git-ignored).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support import musicnn_graph
from tests.support.graphs import EFFNET, GENRES, MODELS_URL, MUSICNN, Backbone, write_head

HERE = Path(__file__).resolve().parent
EFFNET_BUILDER = HERE / "effnet_graph.py"
TF_VENV = HERE / ".venv-tf"
CACHE = HERE / ".cache"
# The oldest tensorflow-cpu with Python 3.11 wheels; its frozen graphs import into the
# TensorFlow 2.5 that essentia-tensorflow bundles (Conv2D, DepthwiseConv2dNative,
# FusedBatchNormV3, MaxPool, Sigmoid/Mul swish, IdentityN all exist there).
TF_REQUIREMENT = "tensorflow-cpu==2.12.1"
SEED = 1
HEADS = (
    ("mood_happy", ["happy", "non_happy"], False),
    ("mood_sad", ["non_sad", "sad"], False),
    ("mood_relaxed", ["non_relaxed", "relaxed"], False),
    ("danceability", ["danceable", "not_danceable"], False),
)
# (name, type, shape, op, purpose) of each backbone's published outputs.
OUTPUTS = {
    EFFNET.name: [
        ("PartitionedCall:0", [64, 400], "Sigmoid", "predictions"),
        ("PartitionedCall:1", [64, 1280], "Flatten", "embeddings"),
    ],
    MUSICNN.name: [
        ("model/Sigmoid", ["batch_size", 50], "Sigmoid", "predictions"),
        ("model/dense/BiasAdd", ["batch_size", 200], "BiasAdd", "embeddings"),
    ],
}
INPUT_SHAPES = {EFFNET.name: [64, 128, 96], MUSICNN.name: ["batch_size", 187, 96]}


def tf_python() -> Path:
    """The benchmark's TensorFlow interpreter, creating its venv on first use."""
    python = TF_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TF_VENV)], check=True)
    if not any(TF_VENV.glob("lib/python*/site-packages/tensorflow/__init__.py")):
        print(f"Installing {TF_REQUIREMENT} in {TF_VENV} (once; a few hundred MB) ...", flush=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, TF_REQUIREMENT], check=True)
    return python


def frozen_graph(backbone: Backbone) -> Path:
    """The cached frozen graph of a backbone: EfficientNet built in the TensorFlow venv,
    MusiCNN written directly (tests/support/musicnn_graph.py, the published TF1 layout)."""
    builder = EFFNET_BUILDER if backbone is EFFNET else Path(musicnn_graph.__file__)
    key = hashlib.sha256(builder.read_bytes() + f"{TF_REQUIREMENT} {SEED}".encode()).hexdigest()
    path = CACHE / f"{backbone.name}-{key[:12]}.pb"
    if path.exists():
        return path
    print(f"Freezing a random-weight {backbone.name} (once) ...", flush=True)
    if backbone is MUSICNN:
        return musicnn_graph.write_musicnn(path, filters=204, seed=SEED)
    command = [str(tf_python()), str(builder), str(path), "--seed", str(SEED)]
    subprocess.run(command, check=True, timeout=600)
    return path


def _io(name: str, shape: list, op: str | None = None, purpose: str | None = None) -> dict:
    entry: dict = {"name": name, "type": "float", "shape": shape}
    if op:
        entry["op"] = op
    if purpose:
        entry["output_purpose"] = purpose
    return entry


def write_backbone(models_dir: Path, backbone: Backbone) -> None:
    folder = models_dir / "feature-extractors" / backbone.family
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(frozen_graph(backbone), folder / f"{backbone.name}.pb")
    metadata = {
        "name": backbone.name,
        "type": "Music tagging and embeddings",
        "link": f"{MODELS_URL}/feature-extractors/{backbone.family}/{backbone.name}.pb",
        "version": "1",
        "description": "Benchmark stand-in with random weights",
        "framework": "tensorflow",
        "classes": GENRES if backbone is EFFNET else [f"tag {i}" for i in range(50)],
        "model_types": ["frozen_model"],
        "schema": {
            "inputs": [_io(backbone.input_name, INPUT_SHAPES[backbone.name])],
            "outputs": [_io(*output) for output in OUTPUTS[backbone.name]],
        },
        "inference": {"sample_rate": 16000, "algorithm": backbone.algorithm},
    }
    (folder / f"{backbone.name}.json").write_text(json.dumps(metadata, indent=4))


def write_suite(models_dir: Path) -> Path:
    """Lay out both backbones and their heads under `models_dir` as Essentia publishes them."""
    for backbone in (EFFNET, MUSICNN):
        write_backbone(models_dir, backbone)
    seed = 11
    for backbone in (EFFNET, MUSICNN):
        for task, classes, savedmodel_names in HEADS:
            write_head(models_dir, task, backbone, classes, seed, savedmodel_names)
            seed += 1
    write_head(models_dir, "genre_discogs400", EFFNET, GENRES, seed, savedmodel_names=True)
    return models_dir
