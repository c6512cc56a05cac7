"""Kodi's tvshow.nfo: written from TMDB's details, parsed back field by field, merged into a
hand-made file without losing its own elements, and refused when it declares entities."""

from __future__ import annotations

import copy
import os

import pytest

from media_meta import nfo
from media_meta.nfo import Artwork, NfoUnreadable
from tests.support.tmdb import SHOWS

ART = Artwork(
    poster="https://img/original/poster1429.jpg",
    logo="https://img/original/logo1429.png",
    fanart="https://img/original/backdrop1429.jpg",
    profile_base="https://img/w185",
)


def fields(root) -> dict:
    text = {tag: root.findtext(tag) for tag in nfo.SIMPLE_TAGS}
    return {
        **text,
        "genres": [e.text for e in root.findall("genre")],
        "studios": [e.text for e in root.findall("studio")],
        "ids": {e.get("type"): (e.text, e.get("default")) for e in root.findall("uniqueid")},
        "thumbs": {e.get("aspect"): e.text for e in root.findall("thumb")},
        "fanart": root.findtext("fanart/thumb"),
        "rating": (root.findtext("ratings/rating/value"), root.findtext("ratings/rating/votes")),
        "actors": [
            (a.findtext("name"), a.findtext("role"), a.findtext("order"), a.findtext("thumb"))
            for a in root.findall("actor")
        ],
    }


def test_an_nfo_written_from_tmdb_reads_back_field_by_field(tmp_path):
    path = nfo.write(tmp_path, SHOWS[1429], ART)
    assert path.name == "tvshow.nfo" and oct(path.stat().st_mode & 0o777) == "0o644"
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"')
    assert fields(nfo.read(path)) == {
        "title": "Attack on Titan",
        "originaltitle": "進撃の巨人",
        "showtitle": "Attack on Titan",
        "plot": "Several hundred years ago, humans were nearly exterminated by Titans.",
        "outline": "Several hundred years ago, humans were nearly exterminated by Titans.",
        "premiered": "2013-04-07",
        "year": "2013",
        "status": "Ended",
        "mpaa": "TV-MA",
        "genres": ["Animation", "Action & Adventure"],
        "studios": ["MBS"],
        "ids": {"tmdb": ("1429", "true"), "tvdb": ("267440", None), "imdb": ("tt2560140", None)},
        "thumbs": {"poster": ART.poster, "clearlogo": ART.logo},
        "fanart": ART.fanart,
        "rating": ("8.7", "6000"),
        "actors": [
            ("Yuki Kaji", "Eren Yeager", "0", "https://img/w185/kaji.jpg"),
            ("Yui Ishikawa", "Mikasa Ackerman", "1", None),
        ],
    }
    assert nfo.tmdb_id_of(nfo.read(path)) == 1429


def test_a_show_without_details_gives_a_small_valid_nfo(tmp_path):
    path = nfo.write(tmp_path, SHOWS[777], Artwork())
    root = nfo.read(path)
    assert root.findtext("title") == "Quiet Show"
    assert root.find("thumb") is None and root.find("premiered") is None


HAND_MADE = b"""<?xml version="1.0" encoding="UTF-8"?>
<tvshow lockdata="true">
  <title>My Own Title</title>
  <thumb aspect="banner">banner.jpg</thumb>
  <thumb aspect="poster">old-poster.jpg</thumb>
  <uniqueid type="anidb" default="true">9541</uniqueid>
  <uniqueid type="tmdb">1429</uniqueid>
  <tag>favourites</tag>
  <namedseason number="1">The First Season</namedseason>
  <genre>Old Genre</genre>
</tvshow>
"""


def test_updating_a_hand_made_nfo_keeps_every_element_nomarr_does_not_manage(tmp_path):
    (tmp_path / "tvshow.nfo").write_bytes(HAND_MADE)
    root = nfo.read(nfo.write(tmp_path, SHOWS[1429], ART))
    assert root.get("lockdata") == "true"
    assert root.findtext("title") == "Attack on Titan"
    assert root.findtext("tag") == "favourites"
    assert root.find("namedseason").get("number") == "1"
    assert {e.get("aspect"): e.text for e in root.findall("thumb")} == {
        "poster": ART.poster, "clearlogo": ART.logo, "banner": "banner.jpg",
    }  # fmt: skip
    assert [e.text for e in root.findall("genre")] == ["Animation", "Action & Adventure"]
    ids = {e.get("type"): (e.text, e.get("default")) for e in root.findall("uniqueid")}
    assert ids["anidb"] == ("9541", None) and ids["tmdb"] == ("1429", "true")


def test_rewriting_is_stable(tmp_path):
    first = nfo.write(tmp_path, SHOWS[1429], ART).read_bytes()
    assert nfo.write(tmp_path, SHOWS[1429], ART).read_bytes() == first


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<tvshow><title>&lol3;</title></tvshow>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE tvshow [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<tvshow><title>&secret;</title></tvshow>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL, b"<!DOCTYPE tvshow><tvshow/>"])
def test_an_nfo_declaring_entities_is_refused_and_left_alone(tmp_path, data):
    (tmp_path / "tvshow.nfo").write_bytes(data)
    with pytest.raises(NfoUnreadable, match="DTD or entities"):
        nfo.write(tmp_path, SHOWS[1429], ART)
    assert (tmp_path / "tvshow.nfo").read_bytes() == data


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"<tvshow><title>unclosed</tvshow>", "not valid XML"), (b"<movie/>", "not <tvshow>")],
)
def test_a_broken_nfo_is_refused_with_the_reason(tmp_path, data, words):
    with pytest.raises(NfoUnreadable, match=words):
        nfo.parse(data)


def test_a_failed_write_leaves_the_old_nfo_and_no_temporary_file(tmp_path, monkeypatch):
    (tmp_path / "tvshow.nfo").write_bytes(HAND_MADE)

    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        nfo.write(tmp_path, SHOWS[1429], ART)
    assert (tmp_path / "tvshow.nfo").read_bytes() == HAND_MADE
    assert os.listdir(tmp_path) == ["tvshow.nfo"]


def test_xml_special_characters_in_tmdb_text_are_escaped(tmp_path):
    show = copy.deepcopy(SHOWS[777])
    show["name"] = 'Tom & Jerry <Show> "quoted"'
    root = nfo.read(nfo.write(tmp_path, show, Artwork()))
    assert root.findtext("title") == 'Tom & Jerry <Show> "quoted"'
