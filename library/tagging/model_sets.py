"""Named sets of Essentia models that `nom models fetch` downloads, with their published URLs.
Essentia publishes no checksums: a file with `sha256=None` is verified by its announced size and
its structure (JSON that parses, a whole graph with the nodes its metadata names), then trusted on
first use (recorded in the folder's manifest); a checksum pinned here wins over the manifest."""

from __future__ import annotations

from dataclasses import dataclass

BASE_URL = "https://essentia.upf.edu/models"


@dataclass(frozen=True)
class ModelDownload:
    path: str  # relative to the base URL and to the models folder
    sha256: str | None = None

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def _model(folder: str, stem: str) -> list[ModelDownload]:
    # Metadata first: a graph is checked against the node names its metadata declares.
    return [ModelDownload(f"{folder}/{stem}.json"), ModelDownload(f"{folder}/{stem}.pb")]


def _effnet_head(task: str) -> list[ModelDownload]:
    return _model(f"classification-heads/{task}", f"{task}-discogs-effnet-1")


def _musicnn_head(task: str) -> list[ModelDownload]:
    return _model(f"classification-heads/{task}", f"{task}-msd-musicnn-1")


_EFFNET_TASKS = [
    "mood_happy",
    "mood_sad",
    "mood_relaxed",
    "mood_aggressive",
    "mood_party",
    "mood_acoustic",
    "mood_electronic",
    "danceability",
    "genre_discogs400",
    "approachability_regression",
    "engagement_regression",
]
EFFNET = _model("feature-extractors/discogs-effnet", "discogs-effnet-bs64-1")
MUSICNN = _model("feature-extractors/musicnn", "msd-musicnn-1")

MODEL_SETS: dict[str, list[ModelDownload]] = {
    # EfficientNet only: the cheaper backbone (about a quarter of the full cost).
    "default": EFFNET + [f for task in _EFFNET_TASKS for f in _effnet_head(task)],
    # Adds MusiCNN heads for the moods, which some users find better calibrated.
    "full": EFFNET
    + [f for task in _EFFNET_TASKS for f in _effnet_head(task)]
    + MUSICNN
    + [
        f
        for task in ("mood_happy", "mood_sad", "mood_relaxed", "mood_aggressive", "danceability")
        for f in _musicnn_head(task)
    ],
}


def pinned_checksums() -> dict[str, str]:
    """Every checksum pinned in a set, by path."""
    return {
        item.path: item.sha256 for files in MODEL_SETS.values() for item in files if item.sha256
    }
