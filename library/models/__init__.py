"""Library models, one module per concern: roots (`library`), files and their metadata
(`tracks`), tagging results (`scores`, `embeddings`), the tags one row per value (`tags`), the
series library (`series`), its episode downloads (`downloads`) and file imports (`imports`)."""

from library.models.downloads import DownloadItem
from library.models.embeddings import TrackEmbedding
from library.models.imports import ImportItem
from library.models.library import Library
from library.models.scores import TrackScore
from library.models.series import Episode, RescanSchedule, Series
from library.models.tags import TrackTag
from library.models.tracks import Track

__all__ = [
    "DownloadItem",
    "Episode",
    "ImportItem",
    "Library",
    "RescanSchedule",
    "Series",
    "Track",
    "TrackEmbedding",
    "TrackScore",
    "TrackTag",
]
