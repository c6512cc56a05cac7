"""Loading Essentia prints none of TensorFlow's start-up noise (CUDA probing without a GPU,
the oneDNN notice) nor Essentia's info lines, in a fresh process as a worker or `nom run`
loads it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.server import REPO

NOISE = ("dso_loader", "cudart", "cuda_driver", "cpu_feature_guard", "oneDNN", "[   INFO   ]")


def load_essentia(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", "from library.tagging import essentia_loader as e; e.standard()"],
        env={**environment, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_loading_essentia_prints_no_start_up_noise():
    output = load_essentia()
    assert [word for word in NOISE if word in output] == []


def test_the_noise_is_what_a_bare_import_prints_so_the_test_can_fail():
    bare = subprocess.run(
        [sys.executable, "-c", "import essentia.standard"],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"},
    )
    assert any(word in bare.stdout + bare.stderr for word in NOISE)
