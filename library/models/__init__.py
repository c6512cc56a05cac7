"""Library models, one module per concern: roots (`library`), files and their metadata
(`tracks`), tagging results (`scores`, `embeddings`), the tags one row per value (`tags`) and
the series library (`series`)."""

from library.models.embeddings import TrackEmbedding
from library.models.library import Library
from library.models.scores import TrackScore
from library.models.series import Episode, Series
from library.models.tags import TrackTag
from library.models.tracks import Track

__all__ = ["Episode", "Library", "Series", "Track", "TrackEmbedding", "TrackScore", "TrackTag"]
