"""Artwork downloads: the right images chosen, a download that fails or brings something that
is not an image leaves the previous file and no temporary file behind."""

from __future__ import annotations

import os

import pytest

from media_meta import artwork
from media_meta.tmdb import TmdbUnavailable
from tests.support.tmdb import JPEG, SHOWS


def configuration(base: str) -> dict:
    return {"images": {"secure_base_url": base + "/t/p/"}}


def test_the_poster_a_png_logo_and_the_backdrop_are_chosen():
    art = artwork.choose(SHOWS[1429], configuration("https://img"), "en-US")
    assert art.poster == "https://img/t/p/original/poster1429.jpg"
    assert art.logo == "https://img/t/p/original/logo1429.png"  # the SVG has more votes
    assert art.fanart == "https://img/t/p/original/backdrop1429.jpg"


def test_images_in_the_users_language_come_first():
    show = {"images": {"posters": [
        {"file_path": "/en.jpg", "iso_639_1": "en", "vote_average": 9},
        {"file_path": "/de.jpg", "iso_639_1": "de", "vote_average": 1},
    ]}}  # fmt: skip
    assert artwork.choose(show, configuration("https://i"), "de-DE").poster.endswith("/de.jpg")


def test_a_configuration_without_an_image_base_is_unavailable():
    with pytest.raises(TmdbUnavailable):
        artwork.choose(SHOWS[1429], {"images": {}}, "en")


def test_a_download_lands_atomically_and_readable_by_media_servers(tmdb_server, tmp_path):
    path = artwork.download(tmdb_server.url + "/t/p/original/x.jpg", tmp_path, "poster")
    assert path.read_bytes() == JPEG
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert os.listdir(tmp_path) == ["poster.jpg"]


@pytest.mark.parametrize(
    ("answer", "words"),
    [((404, b"missing"), "could not be fetched (404)"), ((200, b"<html>"), "is not a jpeg or png")],
)
def test_a_failed_download_keeps_the_old_file(tmdb_server, tmp_path, answer, words):
    (tmp_path / "poster.jpg").write_bytes(b"old")
    tmdb_server.images["/t/p/original/bad.jpg"] = answer
    with pytest.raises(TmdbUnavailable, match=words.replace("(", r"\(").replace(")", r"\)")):
        artwork.download(tmdb_server.url + "/t/p/original/bad.jpg", tmp_path, "poster")
    assert (tmp_path / "poster.jpg").read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["poster.jpg"]


def test_a_logo_must_be_a_png(tmdb_server, tmp_path):
    with pytest.raises(TmdbUnavailable, match="is not a png"):
        artwork.download(tmdb_server.url + "/t/p/original/logo.jpg", tmp_path, "logo")
    assert os.listdir(tmp_path) == []


def test_an_unreachable_image_host_is_reported(tmp_path):
    with pytest.raises(TmdbUnavailable, match="could not be fetched"):
        artwork.download("http://127.0.0.1:9/x.jpg", tmp_path, "fanart")
    assert os.listdir(tmp_path) == []
