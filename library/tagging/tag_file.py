"""Tagging one file end to end: check the file, skip it when already tagged with the current
model suite, analyse it, store the raw scores, derive the tags and write them safely.

The order protects the user's files: a path that is now a symbolic link or leads outside every
library root is refused before it is read (and again when writing), the file is read and its
structure checked before Essentia sees it, a file that decodes to clearly less audio than its
header announces (cut off inside its audio frames) fails before anything is stored, its size,
mtime and inode are taken before analysis and must still match when the tags are written (else
the write is refused and the job retried, so the new contents are analysed), and the tag writer
only replaces the file with a verified copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from mutagen.mp3 import BitrateMode

from calibration import tagcache
from calibration.current import effective
from library.checks import models_dir
from library.models import Library, Track, TrackScore
from library.paths import resolve_inside_roots
from library.scanning.scanner import scan_library
from library.scanning.track_fields import stored_namespace
from library.tagfiles import formats
from library.tagfiles.guard import check_track_file
from library.tagfiles.reader import FileTags, read_tags
from library.tagfiles.roots import confine_to_roots
from library.tagfiles.writer import FileStamp, write_tags
from library.tagging import engine_settings
from library.tagging.cache import default_cache
from library.tagging.model_suite import ModelSuite, discover
from library.tagging.pipeline import PipelineOptions, TaggingPipeline, TrackAnalysis
from library.tagging.stored_embeddings import store_embeddings
from library.tagging.tag_values import TagRules, derive_tags, standard_moods, version_value
from library.tagging.version import PIPELINE_VERSION
from nomarr_site import config

logger = logging.getLogger(__name__)


class NoUsableModels(Exception):
    """There is nothing to tag with; the message says where the models were looked for."""


@dataclass
class TagOutcome:
    path: str
    status: str  # "tagged" or "skipped"
    version: str
    tags: dict[str, list[str]] = field(default_factory=dict)
    heads: int = 0
    seconds_analysed: float = 0.0
    written: bool = False

    def as_result(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "version": self.version,
            "heads": self.heads,
            "seconds_analysed": round(self.seconds_analysed, 2),
            "written": self.written,
            "tags": self.tags,
        }


def load_suite() -> ModelSuite:
    directory = models_dir()
    suite = discover(directory)
    if not suite.heads:
        raise NoUsableModels(
            f"No usable Essentia models in {directory}. Run `nom models fetch` or copy the "
            "models' .pb and .json files there (see `nom models list`)."
        )
    return suite


def current_rules() -> TagRules:
    """The namespace and the calibration in effect (none before the first run: no tiers)."""
    calibration = effective()
    if calibration is None:
        return TagRules(namespace=config.get("namespace"))
    standard = config.get("mood_standard_tier") if config.get("mood_standard_tags") else None
    return TagRules(
        namespace=config.get("namespace"),
        calibration=calibration.calibrate,
        calibration_version=str(calibration.version),
        standard_mood_tier=standard,
    )


def ensure_track(path: str, library: Library | None = None) -> Track:
    """The Track row for `path`, scanning the one file first if the library has not seen it.
    A path that is now a link or leads outside the roots raises a TagFileError: scanning it
    would record the file the link leads to instead."""
    track = Track.objects.filter(path=path).first()
    if track is not None:
        return track
    check_track_file(path, confine_to_roots)
    if library is None:
        _resolved, library = resolve_inside_roots(path)
    scan_library(library, [path], recursive=False)
    track = Track.objects.filter(path=path).first()
    if track is None:
        raise FileNotFoundError(f"File not found or not an audio file: {path}")
    return track


def _scores_stored(track: Track, suite: ModelSuite) -> bool:
    """True when the track's scores from every head of `suite` are stored."""
    stored = set(
        TrackScore.objects.filter(track=track, pipeline_version=PIPELINE_VERSION)
        .values_list("model_sha256", flat=True)
        .distinct()
    )
    return {head.file.sha256 for head in suite.heads} <= stored


def store_scores(track: Track, analysis: TrackAnalysis) -> int:
    """Replace the track's raw scores with this analysis' (one transaction)."""
    rows = []
    for result in analysis.heads:
        labels = result.classes if result.classes is not None else [""]
        means = list(result.mean) if result.classes is not None else [result.mean[0]]
        stds = list(result.std) if result.classes is not None else [result.std[0]]
        for label, mean, std in zip(labels, means, stds, strict=True):
            rows.append(
                TrackScore(
                    track=track,
                    head=result.head,
                    label=label,
                    score_mean=float(mean),
                    score_std=float(std),
                    model_file=result.model_file,
                    model_sha256=result.model_sha256,
                    embedding_model=result.embedding_model,
                    pipeline_version=analysis.pipeline_version,
                )
            )
    with transaction.atomic():
        TrackScore.objects.filter(track=track).delete()
        TrackScore.objects.bulk_create(rows)
    return len(rows)


def tag_track(
    track: Track,
    *,
    force: bool = False,
    suite: ModelSuite | None = None,
    preset: str | None = None,
    step: Callable[[str], None] | None = None,
) -> TagOutcome:
    """Tag one scanned track. Raises library.tagfiles.errors.TagFileError subclasses (bad, vanished,
    read-only or changed files), NoUsableModels, and the pipeline's DecodeError/InferenceError."""
    path = track.path
    announce = step or (lambda _message: None)
    rules = current_rules()
    suite = suite or load_suite()
    version = version_value(suite.version, rules)

    announce("checking the file")
    # The path may have been swapped for a link, or a folder on it for one leading elsewhere,
    # since the job was queued: check again before reading (and the writer checks once more).
    checked = check_track_file(path, confine_to_roots)
    stamp = FileStamp.of(checked)
    file_tags = read_tags(checked, rules.namespace, check_structure=True)
    current = version in _tag_values(file_tags.namespace, f"{rules.namespace}:version")
    # A file tagged with this suite is skipped only when its scores are stored too: a new
    # database over tagged files (or another server's tags) would otherwise hold no scores to
    # calibrate, browse or re-tag from.
    if not force and current and _scores_stored(track, suite):
        mark_tagged(track, stamp, version)
        return TagOutcome(path, "skipped", version)

    announce("analysing")
    engine, _reason = engine_settings.current()
    options = PipelineOptions.preset(preset or config.get("tagging_preset"), engine=engine)
    pipeline = TaggingPipeline(suite, options, cache=default_cache)
    analysis = pipeline.run(checked, announced_seconds=exact_duration(file_tags))
    store_scores(track, analysis)
    store_embeddings(track, analysis)

    mode = config.get("file_write_mode")
    tags = derive_tags(analysis.heads, suite.version, mode, rules)
    moods = standard_moods(analysis.heads, mode, rules)
    outcome = TagOutcome(
        path, "tagged", version, tags, len(analysis.heads), analysis.duration_seconds
    )
    if tags:
        announce("writing tags")
        written = write_tags(
            checked,
            tags,
            rules.namespace,
            expected=stamp,
            confine=confine_to_roots,
            moods=moods,
        )
        stamp = written.stamp
        outcome.written = True
    mark_tagged(track, stamp, version, tags)
    return outcome


def exact_duration(file_tags: FileTags) -> float | None:
    """The duration the file's header states exactly, to hold the decoded audio against: FLAC's
    STREAMINFO sample count, M4A's `mdhd` duration and an MP3's Xing/Info or VBRI frame count.
    None otherwise: mutagen estimates an MP3 without such a header from its first frame's
    bitrate and the file size (far off for VBR), and an Ogg file's length comes from its last
    page, so it already reflects a cut."""
    if file_tags.duration <= 0:
        return None
    if file_tags.format in ("flac", "m4a"):
        return file_tags.duration
    if file_tags.format == "mp3" and _mp3_frames_counted(file_tags.path):
        return file_tags.duration
    return None


def _mp3_frames_counted(path: str) -> bool:
    # mutagen learns the bitrate mode only from a Xing/Info or VBRI header, the headers that
    # count the frames (a Xing header may omit its count; encoders write it); without one the
    # mode stays UNKNOWN and the length is an estimate.
    return formats.load(path, "mp3").info.bitrate_mode is not BitrateMode.UNKNOWN


def _tag_values(tags: dict[str, list[str]], key: str) -> list[str]:
    """Values of `key`, whatever case the file stores it in."""
    wanted = key.lower()
    return [value for name, values in tags.items() if name.lower() == wanted for value in values]


def mark_tagged(
    track: Track, stamp: FileStamp, version: str, tags: dict[str, list[str]] | None = None
) -> None:
    track.analysed_size = stamp.size
    track.analysed_mtime = stamp.mtime
    track.size = stamp.size
    track.mtime = stamp.mtime
    track.tagged_version = version
    track.tagged_at = timezone.now()
    fields = ["analysed_size", "analysed_mtime", "size", "mtime", "tagged_version", "tagged_at"]
    if tags is not None:
        track.namespace_tags = stored_namespace(tags)
        fields.append("namespace_tags")
    track.save(update_fields=[*fields, "updated_at"])
    if tags is not None:
        tagcache.bump()
