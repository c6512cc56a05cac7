"""Fixtures of the series-metadata tests: the loopback TMDB server."""

from tests.support.tmdb import tmdb, tmdb_server  # noqa: F401 - fixtures
