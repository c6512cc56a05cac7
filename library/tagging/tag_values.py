"""Derives the `<ns>:*` tags from pooled head scores: per-head values, mood tiers from
calibrated scores, and the version tag; `file_write_mode` chooses which of them go to files."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from library.tagfiles.moods import StandardMoods
from library.tagging.pipeline import HeadResult

FILE_WRITE_MODES = ("none", "minimal", "full")
TIERS = ("strict", "regular", "loose")
_NEGATIONS = ("non_", "non ", "non-", "not_", "not ", "not-")

# (head name, class label, raw pooled score) -> calibrated value in [0, 1], or None for a class
# the calibration does not know.
Calibration = Callable[[str, str, float], float | None]


@dataclass(frozen=True)
class TierRule:
    """A mood reaches the tier when its calibrated value, its ratio to the opposite class's
    calibrated value and the gap between them all reach these."""

    value: float
    ratio: float
    gap: float


TIER_RULES = {
    "strict": TierRule(0.80, 1.20, 0.15),
    "regular": TierRule(0.75, 1.10, 0.08),
    "loose": TierRule(0.60, 1.02, 0.03),
}
# Spread (standard deviation of the positive class across patches) from which a mood gets no
# tier, at most loose, at most regular: a track that is happy in one half and sad in the other
# is neither.
SPREAD_GATES = ((0.25, None), (0.15, "loose"), (0.08, "regular"))
OPPOSING_MOODS = (("happy", "sad"), ("relaxed", "aggressive"))
# The positive classes of Essentia's published mood heads (model_sets.py): words Nomarr owns in
# the standard mood field even after a head leaves the suite.
PUBLISHED_MOODS = ("happy", "sad", "relaxed", "aggressive", "party", "acoustic", "electronic")


def min_max_calibration(ranges: Mapping[tuple[str, str], tuple[float, float]]) -> Calibration:
    """clamp((raw - low) / (high - low), 0, 1) per (head, label); None for an unknown class."""

    def calibrate(head: str, label: str, score: float) -> float | None:
        found = ranges.get((head, label))
        if found is None:
            return None
        low, high = found
        if high <= low:
            return 1.0 if score >= high else 0.0
        return min(1.0, max(0.0, (score - low) / (high - low)))

    return calibrate


@dataclass(frozen=True)
class TagRules:
    namespace: str = "nom"
    top_k: int = 3  # labels kept for many-class heads such as genre_discogs400
    top_threshold: float = 0.1
    # None until a calibration exists: then no mood tier is written (raw scores of different
    # heads are not comparable).
    calibration: Calibration | None = field(default=None)
    calibration_version: str = "none"
    # The tier also written to the file's standard mood field; None leaves that field alone.
    standard_mood_tier: str | None = None


def positive_class(classes: Sequence[str] | None) -> str | None:
    """The positive label of a two-class head (`happy` in [happy, non_happy], `sad` in
    [non_sad, sad]); None when the head has no such pair (gender, regression, many classes)."""
    if classes is None or len(classes) != 2:
        return None
    plain = [c for c in classes if not c.lower().startswith(_NEGATIONS)]
    return plain[0] if len(plain) == 1 else None


def _number(value: float) -> str:
    return f"{value:.4f}"


def head_values(result: HeadResult, rules: TagRules) -> list[str]:
    """The `<ns>:<head>` value(s): positive-class probability, the value of a regression head,
    or the top labels of any other classifier. Raw (uncalibrated) scores. A head with a single
    output writes that number: naming its only class would say nothing."""
    if result.classes is None or len(result.classes) == 1:
        return [_number(result.mean[0])]
    positive = positive_class(result.classes)
    if positive is not None:
        return [_number(result.score(positive))]
    ranked = sorted(zip(result.mean, result.classes, strict=True), reverse=True)
    if len(ranked) <= 3:
        return [ranked[0][1]]
    return [label for score, label in ranked[: rules.top_k] if score >= rules.top_threshold]


@dataclass(frozen=True)
class MoodReading:
    """One mood head's calibrated evidence: the positive class against its opposite."""

    label: str
    value: float
    opposite: float
    spread: float

    def tier(self) -> str | None:
        """The strictest tier the values reach, capped by the spread gate."""
        reached = next((name for name, rule in TIER_RULES.items() if self._passes(rule)), None)
        for limit, cap in SPREAD_GATES:
            if self.spread >= limit:
                if cap is None or reached is None:
                    return None
                return TIERS[max(TIERS.index(reached), TIERS.index(cap))]
        return reached

    def _passes(self, rule: TierRule) -> bool:
        # Rounded so that a value exactly on a boundary (0.75 - 0.67) is not lost to binary
        # floating point.
        ratio = round(self.value / self.opposite, 9) if self.opposite > 0 else float("inf")
        gap = round(self.value - self.opposite, 9)
        return round(self.value, 9) >= rule.value and ratio >= rule.ratio and gap >= rule.gap


def mood_readings(results: Sequence[HeadResult], calibration: Calibration) -> list[MoodReading]:
    """Calibrated readings of the `mood_*` two-class heads. Where a task runs on several
    backbones only the preferred head (the one named after the bare task) counts."""
    readings = []
    for result in results:
        positive = positive_class(result.classes)
        if result.classes is None or positive is None:
            continue
        if not result.task.startswith("mood_") or result.head != result.task:
            continue
        negative = next(c for c in result.classes if c != positive)
        value = calibration(result.head, positive, result.score(positive))
        opposite = calibration(result.head, negative, result.score(negative))
        if value is None or opposite is None:
            continue
        spread = result.std[result.classes.index(positive)]
        readings.append(MoodReading(positive, value, opposite, spread))
    return readings


def mood_tiers(readings: Sequence[MoodReading]) -> dict[str, list[str]]:
    """Labels per tier, cumulative (a strict mood is also regular and loose), most confident
    first. Opposing moods that both reach a tier are both dropped."""
    tiers = {r.label: (r.tier(), r.value) for r in readings}
    for first, second in OPPOSING_MOODS:
        if tiers.get(first, (None,))[0] and tiers.get(second, (None,))[0]:
            del tiers[first], tiers[second]
    ranked = sorted(
        ((label, tier, value) for label, (tier, value) in tiers.items() if tier),
        key=lambda item: (-item[2], item[0]),
    )
    return {
        name: [label for label, tier, _v in ranked if TIERS.index(tier) <= TIERS.index(name)]
        for name in TIERS
    }


def mood_words(results: Sequence[HeadResult]) -> set[str]:
    """Every mood Nomarr may write: the published mood heads' and these results' own."""
    words = set(PUBLISHED_MOODS)
    for result in results:
        positive = positive_class(result.classes)
        if positive is not None and result.task.startswith("mood_"):
            words.add(positive)
    return words


def standard_moods(
    results: Sequence[HeadResult], mode: str, rules: TagRules
) -> StandardMoods | None:
    """Nomarr's part of the standard mood field (the chosen tier's moods), or None to leave the
    field alone: no calibration yet, the setting is off, or nothing is written to files."""
    tier = rules.standard_mood_tier
    if rules.calibration is None or tier is None or mode == "none":
        return None
    values = mood_tiers(mood_readings(results, rules.calibration))[tier]
    return StandardMoods.of(values, mood_words(results))


def version_value(suite_version: str, rules: TagRules) -> str:
    return f"{suite_version};cal={rules.calibration_version}"


def derive_tags(
    results: Sequence[HeadResult], suite_version: str, mode: str, rules: TagRules | None = None
) -> dict[str, list[str]]:
    """The tags to write for `mode` (none: {}, minimal: tiers + version, full: every head too),
    keyed `<ns>:<key>`. Empty tiers are left out, so a re-tag removes a stale one; no tier is
    written before a calibration exists."""
    if mode not in FILE_WRITE_MODES:
        raise ValueError(f"file_write_mode must be one of {', '.join(FILE_WRITE_MODES)}")
    rules = rules or TagRules()
    if mode == "none":
        return {}
    ns = rules.namespace
    tags: dict[str, list[str]] = {}
    if mode == "full":
        for result in results:
            values = head_values(result, rules)
            if values:
                tags[f"{ns}:{result.head}"] = values
    if rules.calibration is not None:
        for tier, labels in mood_tiers(mood_readings(results, rules.calibration)).items():
            if labels:
                tags[f"{ns}:mood-{tier}"] = labels
    tags[f"{ns}:version"] = [version_value(suite_version, rules)]
    return tags
