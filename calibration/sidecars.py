"""Calibration sidecar files: `<head>-calibration.json` beside the head's model (never over
Essentia's own `<model>.json`), with a `<head>-calibration-v<N>.json` copy per run; exporting
the calibration in effect, and importing sidecars made elsewhere after validating them."""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max

from calibration.build import as_distribution, current_references
from calibration.models import Calibration, HeadStats
from calibration.stats import BINS, Distribution, drift
from calibration.summary import head_data
from library.checks import models_dir
from library.models import TrackScore
from library.tagging.model_suite import calibration_sidecar_name, discover
from nomarr_site.domain import Invalid
from nomarr_site.files import atomic_write

logger = logging.getLogger(__name__)

FORMAT = "nomarr-calibration"
FORMAT_VERSION = 1
HEAD_NAME = re.compile(r"[A-Za-z0-9_.-]{1,200}")
MAX_SIDECAR_BYTES = 4 * 1024 * 1024
SHARED = 0o644  # read by whoever copies the models folder; holds no secret


class InvalidSidecar(Invalid):
    """A sidecar that cannot be used; the message names the file and why."""


def head_folders() -> dict[str, Path]:
    """The folder of each head's model file in the models folder (empty when there is none)."""
    try:
        suite = discover(models_dir())
    except OSError:
        return {}
    return {head.name: head.file.path.parent for head in suite.heads}


def document(head: str, version: int, classes: dict[str, HeadStats]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "head": head,
        "calibration_version": version,
        "classes": {
            label: {
                "min": row.p5,
                "max": row.p95,
                "samples": row.samples,
                "median": row.median,
                "iqr": row.iqr,
                "histogram": list(row.histogram),
            }
            for label, row in sorted(classes.items())
        },
    }


def _effective_by_head() -> dict[str, dict[str, HeadStats]]:
    found: dict[str, dict[str, HeadStats]] = {}
    for (head, label), row in current_references().items():
        found.setdefault(head, {})[label] = row
    return found


def write_sidecars(folder_of: dict[str, Path], version: int, versioned: bool) -> list[str]:
    """Write the calibration in effect, one file per head, into each head's folder."""
    saved = []
    for head, classes in sorted(_effective_by_head().items()):
        folder = folder_of.get(head)
        if folder is None:
            continue
        text = json.dumps(document(head, version, classes), indent=2) + "\n"
        names = [calibration_sidecar_name(head)]
        if versioned:
            names.append(calibration_sidecar_name(head, version))
        for name in names:
            atomic_write(folder / name, text, mode=SHARED)
            saved.append(str(folder / name))
    return saved


def save_sidecars(run: Calibration) -> list[str]:
    """Sidecars beside each head's model (heads not in the models folder get none)."""
    folders = head_folders()
    heads = set(head_data(run))
    return write_sidecars({h: f for h, f in folders.items() if h in heads}, run.version, True)


def export(directory: str | Path) -> list[str]:
    """Every head's sidecar of the calibration in effect into `directory`."""
    folder = Path(directory)
    if not folder.is_dir():
        raise Invalid(f"{folder} is not a folder")
    heads = _effective_by_head()
    if not heads:
        raise Invalid("There is no calibration to export; generate one first")
    version = max(row.calibration.version for c in heads.values() for row in c.values())
    return write_sidecars(dict.fromkeys(heads, folder), version, False)


def _number(name: str, where: str, value: Any, *, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSidecar(f"{name}: {where} must be a number")
    if whole and (not isinstance(value, int) or value < 1):
        raise InvalidSidecar(f"{name}: {where} must be a whole number of at least 1")
    if not math.isfinite(value):
        raise InvalidSidecar(f"{name}: {where} must be finite")
    return float(value)


def _class_stats(name: str, label: str, body: Any) -> Distribution:
    if not isinstance(body, dict):
        raise InvalidSidecar(f"{name}: class {label!r} must be an object")
    values = {
        key: _number(name, f"{label}.{key}", body.get(key), whole=key == "samples")
        for key in ("min", "max", "samples", "median", "iqr")
    }
    if values["min"] > values["max"]:
        raise InvalidSidecar(f"{name}: class {label!r} has min above max")
    histogram = body.get("histogram", [0] * BINS)
    if (
        not isinstance(histogram, list)
        or len(histogram) != BINS
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in histogram)
    ):
        raise InvalidSidecar(f"{name}: {label}.histogram must be {BINS} counts")
    return Distribution(
        int(values["samples"]),
        values["min"],
        values["max"],
        values["median"],
        values["iqr"],
        histogram,
    )


def parse_sidecar(name: str, text: str) -> tuple[str, dict[str, Distribution]]:
    """(head, statistics per class) of one sidecar, or InvalidSidecar naming it and why."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise InvalidSidecar(f"{name}: not JSON ({exc})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise InvalidSidecar(f"{name}: not a Nomarr calibration sidecar")
    if body.get("format_version") != FORMAT_VERSION:
        raise InvalidSidecar(
            f"{name}: format version {body.get('format_version')!r} is not supported "
            f"(this Nomarr reads {FORMAT_VERSION})"
        )
    head = body.get("head")
    if not isinstance(head, str) or not HEAD_NAME.fullmatch(head):
        raise InvalidSidecar(f"{name}: 'head' must be a head name")
    _number(name, "calibration_version", body.get("calibration_version"), whole=True)
    classes = body.get("classes")
    if not isinstance(classes, dict) or not classes:
        raise InvalidSidecar(f"{name}: 'classes' must name at least one class")
    stats = {str(label): _class_stats(name, str(label), value) for label, value in classes.items()}
    stored = set(TrackScore.objects.filter(head=head).values_list("label", flat=True).distinct())
    if not stored:
        raise InvalidSidecar(f"{name}: no track has scores of head {head!r} here")
    if stored != set(stats):
        raise InvalidSidecar(
            f"{name}: classes {sorted(stats)} do not match the head's {sorted(stored)}"
        )
    return head, stats


def read_sidecar(path: str | Path) -> tuple[str, dict[str, Distribution]]:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_SIDECAR_BYTES:
            raise InvalidSidecar(f"{file.name}: larger than {MAX_SIDECAR_BYTES} bytes")
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidSidecar(f"{file.name}: cannot be read ({exc})") from None
    return parse_sidecar(file.name, text)


def import_sidecars(paths: list[str | Path]) -> Calibration:
    """Validate every sidecar first, then store them as one run that becomes the reference of
    each head it names (drift against the previous reference is kept for the record)."""
    parsed = dict(read_sidecar(path) for path in paths)
    if not parsed:
        raise Invalid("No sidecar given")
    with transaction.atomic():
        references = current_references()
        latest = Calibration.objects.aggregate(v=Max("version"))["v"] or 0
        run = Calibration.objects.create(
            version=latest + 1,
            track_count=max(d.samples for c in parsed.values() for d in c.values()),
            heads=len(parsed),
            changed_heads=len(parsed),
        )
        for head, classes in sorted(parsed.items()):
            for label, found in sorted(classes.items()):
                ref = references.get((head, label))
                row = HeadStats.objects.create(
                    calibration=run,
                    head=head,
                    label=label,
                    samples=found.samples,
                    p5=found.p5,
                    p95=found.p95,
                    median=found.median,
                    iqr=found.iqr,
                    histogram=found.histogram,
                    drift=None if ref is None else drift(found, as_distribution(ref)),
                    is_reference=True,
                )
                row.reference = row
                row.save(update_fields=["reference"])
    logger.info("Imported calibration %s for %d heads", run.version, run.heads)
    return run
