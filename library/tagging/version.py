"""Version strings: the pipeline's own version and the suite version derived from it and from
the model checksums, so changing a model (or the pipeline) changes what `<ns>:version` says;
and a version tag in words for people."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

# Bump when decoding, patching or pooling changes in a way that changes stored scores.
PIPELINE_VERSION = "1"


def suite_version(checksums: Iterable[str], pipeline_version: str = PIPELINE_VERSION) -> str:
    """`p<pipeline>-<12 hex>`; order-independent over the model files' SHA-256 checksums."""
    digest = hashlib.sha256(pipeline_version.encode())
    for checksum in sorted(checksums):
        digest.update(b"\0" + checksum.encode())
    return f"p{pipeline_version}-{digest.hexdigest()[:12]}"


def describe(tagged: str, current_suite: str | None, tagged_on: date | None = None) -> str:
    """`tagged` (a `<ns>:version` value, `p<pipeline>-<suite>;cal=<calibration>`) in words for
    the track page: when, with which model set (the current one or an earlier one) and whether
    a calibration applied. The raw string stays available beside it."""
    if not tagged:
        return "Not analysed yet"
    suite, _, calibration = tagged.partition(";cal=")
    when = f" on {tagged_on:%Y-%m-%d}" if tagged_on else ""
    if not suite.startswith("p") or "-" not in suite:
        return f"Tagged{when} in a form this version of Nomarr does not know"
    if current_suite is None:
        models = "models that are not in the models folder now"
    elif suite == current_suite:
        models = "the current model set"
    else:
        models = "an earlier model set (re-tagging brings it up to date)"
    calibrated = "not calibrated" if calibration in ("", "none") else f"calibration {calibration}"
    return f"Analysed{when} with {models}, {calibrated}"
