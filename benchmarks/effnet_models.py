"""A benchmark model suite: a full-size EfficientNet-B0 Discogs-EffNet stand-in (random
weights, frozen by `effnet_graph.py` in a separate TensorFlow venv and cached) plus small heads.

The graph is built once per builder version and kept in `benchmarks/.cache/`; the TensorFlow
venv is created on first use at `benchmarks/.venv-tf/` (both git-ignored).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.graphs import EFFNET, GENRES, MODELS_URL, write_head

HERE = Path(__file__).resolve().parent
BUILDER = HERE / "effnet_graph.py"
TF_VENV = HERE / ".venv-tf"
CACHE = HERE / ".cache"
# The oldest tensorflow-cpu with Python 3.11 wheels; its frozen EfficientNet graphs import into
# the TensorFlow 2.5 that essentia-tensorflow bundles (Conv2D, DepthwiseConv2dNative,
# FusedBatchNormV3, Sigmoid/Mul swish, IdentityN all exist there).
TF_REQUIREMENT = "tensorflow-cpu==2.12.1"
SEED = 1
HEADS = (
    ("mood_happy", ["happy", "non_happy"], False),
    ("mood_sad", ["non_sad", "sad"], False),
    ("danceability", ["danceable", "not_danceable"], False),
    ("genre_discogs400", GENRES, True),
)


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


def effnet_graph() -> Path:
    """The cached frozen EfficientNet-B0 graph, built in the TensorFlow venv when missing."""
    key = hashlib.sha256(BUILDER.read_bytes() + f"{TF_REQUIREMENT} {SEED}".encode()).hexdigest()
    path = CACHE / f"discogs-effnet-b0-{key[:12]}.pb"
    if not path.exists():
        print("Freezing a random-weight EfficientNet-B0 (once) ...", flush=True)
        command = [str(tf_python()), str(BUILDER), str(path), "--seed", str(SEED)]
        subprocess.run(command, check=True, timeout=600)
    return path


def _io(name: str, shape: list, op: str | None = None, purpose: str | None = None) -> dict:
    entry: dict = {"name": name, "type": "float", "shape": shape}
    if op:
        entry["op"] = op
    if purpose:
        entry["output_purpose"] = purpose
    return entry


def write_suite(models_dir: Path) -> Path:
    """Lay out the backbone and heads under `models_dir` the way Essentia publishes them."""
    folder = models_dir / "feature-extractors" / EFFNET.family
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(effnet_graph(), folder / f"{EFFNET.name}.pb")
    link = f"{MODELS_URL}/feature-extractors/{EFFNET.family}/{EFFNET.name}.pb"
    metadata = {
        "name": "Discogs-EffNet",
        "type": "Music style classification and embeddings",
        "link": link,
        "version": "1",
        "description": "Benchmark stand-in: EfficientNet-B0 with random weights",
        "framework": "tensorflow",
        "framework_version": "2.8.0",
        "classes": GENRES,
        "model_types": ["frozen_model"],
        "schema": {
            "inputs": [_io("serving_default_melspectrogram", [64, 128, 96])],
            "outputs": [
                _io("PartitionedCall:0", [64, 400], "Sigmoid", "predictions"),
                _io("PartitionedCall:1", [64, 1280], "Flatten", "embeddings"),
            ],
        },
        "inference": {"sample_rate": 16000, "algorithm": "TensorflowPredictEffnetDiscogs"},
    }
    (folder / f"{EFFNET.name}.json").write_text(json.dumps(metadata, indent=4))
    for seed, (task, classes, savedmodel_names) in enumerate(HEADS, start=11):
        write_head(models_dir, task, EFFNET, classes, seed=seed, savedmodel_names=savedmodel_names)
    return models_dir
