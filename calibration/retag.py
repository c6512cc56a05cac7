"""Re-tagging one track from its stored scores with the calibration in effect, without
inference: only the mood tiers and the calibration part of the version tag change; head values
and every other tag stay as the file has them, and the file is rewritten only when a tag
changed. A file changed since it was analysed (size or mtime) is refused, as the tagger does,
and queued for analysis again."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePath

from library.models import Track, TrackScore
from library.tagfiles import formats
from library.tagfiles.errors import FileChanged
from library.tagfiles.guard import check_track_file
from library.tagfiles.moods import StandardMoods, read_moods
from library.tagfiles.reader import read_tags
from library.tagfiles.roots import confine_to_roots
from library.tagfiles.writer import FileStamp, write_tags
from library.tagging.pipeline import HeadResult
from library.tagging.tag_file import current_rules, mark_tagged
from library.tagging.tag_values import TIERS, derive_tags, standard_moods
from nomarr_site import config

logger = logging.getLogger(__name__)

CAL_SEPARATOR = ";cal="


class NotRecalibratable(Exception):
    """The track cannot be re-tagged from stored scores; the message says why."""


@dataclass(frozen=True)
class RetagOutcome:
    path: str
    status: str  # "rewritten", "unchanged" or "skipped"
    version: str
    changed: tuple[str, ...] = ()


def stored_results(track: Track) -> list[HeadResult]:
    """The track's stored scores as the pipeline's head results (classes in label order; the
    tag values find classes by name, never by position)."""
    rows: dict[str, list[TrackScore]] = defaultdict(list)
    for score in TrackScore.objects.filter(track=track).order_by("head", "label"):
        rows[score.head].append(score)
    results = []
    for head, scores in rows.items():
        first = scores[0]
        regression = len(scores) == 1 and scores[0].label == ""
        results.append(
            HeadResult(
                head=head,
                task=PurePath(first.model_file).stem.split("-")[0] or head,
                model_file=first.model_file,
                model_sha256=first.model_sha256,
                embedding_model=first.embedding_model,
                embedding_sha256="",
                classes=None if regression else tuple(s.label for s in scores),
                mean=tuple(s.score_mean for s in scores),
                std=tuple(s.score_std for s in scores),
                patches=0,
            )
        )
    return results


def recalibrated_keys(namespace: str) -> set[str]:
    """The tags a recalibration owns (case-folded): the tiers and the version."""
    return {f"{namespace}:mood-{tier}".casefold() for tier in TIERS} | {
        f"{namespace}:version".casefold()
    }


def _folded(tags: dict[str, list[str]]) -> dict[str, list[str]]:
    return {key.casefold(): values for key, values in tags.items()}


def _changes(
    present: dict[str, list[str]],
    wanted: dict[str, list[str]],
    path: str,
    moods: StandardMoods | None,
) -> tuple[str, ...]:
    """The tags (and the standard mood field, as `MOOD`) that would change."""
    before, after = _folded(present), _folded(wanted)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if moods is not None:
        fmt = formats.detect_format(path)
        present_moods = read_moods(formats.load(path, fmt), fmt)
        if present_moods != moods.merged(present_moods):
            changed.append("MOOD")
    return tuple(changed)


def _analysed_stamp(track: Track) -> FileStamp:
    if track.analysed_size is None or track.analysed_mtime is None:
        raise NotRecalibratable(f"{track.path} has not been analysed yet; tag it first")
    return FileStamp(track.analysed_size, track.analysed_mtime)


def retag(track: Track) -> RetagOutcome:
    """Rewrite the track's tiers and version from stored scores. Raises NotRecalibratable,
    FileChanged (the file was edited since it was analysed) or another TagFileError."""
    if not track.tagged_version:
        raise NotRecalibratable(f"{track.path} was never tagged; tag it first")
    results = stored_results(track)
    if not results:
        raise NotRecalibratable(f"{track.path} has no stored scores; tag it first")
    rules = current_rules()
    suite = track.tagged_version.split(CAL_SEPARATOR)[0]
    derived = derive_tags(results, suite, "minimal", rules)
    version = derived[f"{rules.namespace}:version"][0]
    if config.get("file_write_mode") == "none":
        return RetagOutcome(track.path, "skipped", version)
    expected = _analysed_stamp(track)
    checked = check_track_file(track.path, confine_to_roots)
    if not expected.matches(os.stat(checked)):
        raise FileChanged(checked, f"{checked} changed since it was analysed")
    present = read_tags(checked, rules.namespace).namespace
    owned = recalibrated_keys(rules.namespace)
    wanted = {key: values for key, values in present.items() if key.casefold() not in owned}
    wanted.update(derived)
    moods = standard_moods(results, "minimal", rules)
    changed = _changes(present, wanted, checked, moods)
    if not changed:
        mark_tagged(track, FileStamp.of(checked), version)
        return RetagOutcome(track.path, "unchanged", version)
    written = write_tags(
        checked,
        wanted,
        rules.namespace,
        expected=expected,
        confine=confine_to_roots,
        moods=moods,
    )
    mark_tagged(track, written.stamp, version, wanted)
    logger.info("Recalibrated %s (%s)", track.path, ", ".join(changed))
    return RetagOutcome(track.path, "rewritten", version, changed)
