"""Version strings: the pipeline's own version and the suite version derived from it and from
the model checksums, so changing a model (or the pipeline) changes what `<ns>:version` says."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# Bump when decoding, patching or pooling changes in a way that changes stored scores.
PIPELINE_VERSION = "1"


def suite_version(checksums: Iterable[str], pipeline_version: str = PIPELINE_VERSION) -> str:
    """`p<pipeline>-<12 hex>`; order-independent over the model files' SHA-256 checksums."""
    digest = hashlib.sha256(pipeline_version.encode())
    for checksum in sorted(checksums):
        digest.update(b"\0" + checksum.encode())
    return f"p{pipeline_version}-{digest.hexdigest()[:12]}"
