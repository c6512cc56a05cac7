"""Library models, one module per concern: roots (`library`), files and their metadata
(`tracks`), and tagging results (`scores`)."""

from library.models.library import Library
from library.models.scores import TrackScore
from library.models.tracks import Track

__all__ = ["Library", "Track", "TrackScore"]
