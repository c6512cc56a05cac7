"""Loading Essentia (and the TensorFlow it bundles) once, quietly and only when a process tags:
importing it costs a second and most processes (web, scans) never need it. TensorFlow's
start-up noise (CUDA probing on machines without a GPU, the oneDNN notice) and Essentia's
info and warning lines are switched off before it loads; failures still raise."""

from __future__ import annotations

import os
from types import ModuleType


def standard() -> ModuleType:
    """`essentia.standard`, loaded quietly. `TF_CPP_MIN_LOG_LEVEL` set by the user wins."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ INFO and WARNING lines
    import essentia

    # Reusing a standard-mode composite logs a warning per call ("No network created ...");
    # real failures still surface as exceptions.
    essentia.log.infoActive = False
    essentia.log.warningActive = False
    import essentia.standard

    module: ModuleType = essentia.standard  # essentia ships no types
    return module
