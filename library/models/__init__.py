"""Library models, one module per concern: roots (`library`), files and their metadata
(`tracks`), tagging results (`scores`, `embeddings`), the series library (`series`) and its episode
downloads (`downloads`)."""

from library.models.downloads import DownloadItem
from library.models.embeddings import TrackEmbedding
from library.models.library import Library
from library.models.scores import TrackScore
from library.models.series import Episode, Series
from library.models.tracks import Track

__all__ = ["DownloadItem", "Episode", "Library", "Series", "Track", "TrackEmbedding", "TrackScore"]
