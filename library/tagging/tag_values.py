"""Derives the `<ns>:*` tags from pooled head scores: per-head values, mood tiers from
calibrated scores, and the version tag; `file_write_mode` chooses which of them go to files."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from library.tagging.pipeline import HeadResult

FILE_WRITE_MODES = ("none", "minimal", "full")
TIERS = ("strict", "regular", "loose")
_NEGATIONS = ("non_", "non ", "non-", "not_", "not ", "not-")

# (head name, class label, raw pooled score) -> calibrated score in [0, 1].
Calibration = Callable[[str, str, float], float]


def identity_calibration(head: str, label: str, score: float) -> float:
    return score


def min_max_calibration(ranges: Mapping[str, tuple[float, float]]) -> Calibration:
    """Rescale each head's score so its observed (min, max) maps onto (0, 1), clipped; heads
    without a range pass through unchanged."""

    def calibrate(head: str, label: str, score: float) -> float:
        if head not in ranges:
            return score
        low, high = ranges[head]
        if high <= low:
            return score
        return min(1.0, max(0.0, (score - low) / (high - low)))

    return calibrate


@dataclass(frozen=True)
class TagRules:
    namespace: str = "nom"
    strict: float = 0.8
    regular: float = 0.65
    loose: float = 0.5
    top_k: int = 3  # labels kept for many-class heads such as genre_discogs400
    top_threshold: float = 0.1
    calibration: Calibration = field(default=identity_calibration)
    calibration_version: str = "none"

    def threshold(self, tier: str) -> float:
        return {"strict": self.strict, "regular": self.regular, "loose": self.loose}[tier]


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


def mood_scores(results: Sequence[HeadResult], rules: TagRules) -> dict[str, float]:
    """Calibrated positive-class score per mood label, from `mood_*` heads. Where a task runs on
    several backbones only the preferred head (the one named after the bare task) counts."""
    scores = {}
    for result in results:
        positive = positive_class(result.classes)
        if not result.task.startswith("mood_") or positive is None or result.head != result.task:
            continue
        scores[positive] = rules.calibration(result.head, positive, result.score(positive))
    return scores


def mood_tiers(scores: Mapping[str, float], rules: TagRules) -> dict[str, list[str]]:
    """Labels passing each tier's threshold, most confident first."""
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return {tier: [m for m, s in ranked if s >= rules.threshold(tier)] for tier in TIERS}


def version_value(suite_version: str, rules: TagRules) -> str:
    return f"{suite_version};cal={rules.calibration_version}"


def derive_tags(
    results: Sequence[HeadResult], suite_version: str, mode: str, rules: TagRules | None = None
) -> dict[str, list[str]]:
    """The tags to write for `mode` (none: {}, minimal: tiers + version, full: every head too),
    keyed `<ns>:<key>`. Empty tiers are left out, so a re-tag removes a stale one."""
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
    for tier, labels in mood_tiers(mood_scores(results, rules), rules).items():
        if labels:
            tags[f"{ns}:mood-{tier}"] = labels
    tags[f"{ns}:version"] = [version_value(suite_version, rules)]
    return tags
