"""The calibration in effect: each head's reference statistics and the version files carry.

The version is that of the newest run that changed any head's reference: a run in which every
head was stable changes no tier, so it changes no file either (`cal=<n>` stays)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Max

from calibration.build import current_references
from calibration.models import Calibration
from library.tagging.tag_values import Calibration as CalibrationFunction
from library.tagging.tag_values import min_max_calibration


@dataclass
class Effective:
    version: int
    ranges: dict[tuple[str, str], tuple[float, float]]  # (head, label) -> (p5, p95)

    def calibrate(self, head: str, label: str, raw: float) -> float | None:
        """clamp((raw - p5) / (p95 - p5), 0, 1); None for a class without a calibration."""
        return self._calibration(head, label, raw)

    @cached_property
    def _calibration(self) -> CalibrationFunction:
        return min_max_calibration(self.ranges)


def effective_version() -> int | None:
    version: int | None = Calibration.objects.filter(changed_heads__gt=0).aggregate(
        v=Max("version")
    )["v"]
    return version


def effective() -> Effective | None:
    """The calibration to tag with, or None before the first run."""
    version = effective_version()
    if version is None:
        return None
    ranges = {key: (row.p5, row.p95) for key, row in current_references().items()}
    return Effective(version, ranges)
