"""The common tags (artist, album artist, album, title, track/disc, year, genre, MusicBrainz
ids) from any mutagen tags object: ID3, Vorbis comments, MP4 atoms, ASF and APEv2.

One set of rules for every caller, the scanner's: values are stripped and the first non-empty
one counts; numbers are the leading digits ("3/12" -> 3, "2019-05-01" -> 2019).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mutagen._vorbis import VCommentDict
from mutagen.apev2 import APEv2
from mutagen.asf import ASFTags
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

from library.tagfiles.formats import FREEFORM, value_texts

TEXT_FIELDS = ("artist", "album_artist", "album", "title")
# Our field -> the key(s) each tag format uses for it (Picard's mapping). Vorbis lists
# alternatives, tried in order.
ID3_FRAMES = {
    "artist": "TPE1",
    "album_artist": "TPE2",
    "album": "TALB",
    "title": "TIT2",
    "track": "TRCK",
    "disc": "TPOS",
    "year": "TDRC",
    "genre": "TCON",
}
VORBIS_KEYS = {
    "artist": ("artist",),
    "album_artist": ("albumartist", "album artist"),
    "album": ("album",),
    "title": ("title",),
    "track": ("tracknumber",),
    "track_total": ("tracktotal", "totaltracks"),
    "disc": ("discnumber",),
    "disc_total": ("disctotal", "totaldiscs"),
    "year": ("date", "year", "originaldate"),
    "genre": ("genre",),
}
MP4_KEYS = {
    "artist": "\xa9ART",
    "album_artist": "aART",
    "album": "\xa9alb",
    "title": "\xa9nam",
    "year": "\xa9day",
    "genre": "\xa9gen",
}
ASF_KEYS = {
    "artist": "Author",
    "album_artist": "WM/AlbumArtist",
    "album": "WM/AlbumTitle",
    "title": "Title",
    "track": "WM/TrackNumber",
    "disc": "WM/PartOfSet",
    "year": "WM/Year",
    "genre": "WM/Genre",
}
APE_KEYS = {
    "artist": "Artist",
    "album_artist": "Album Artist",
    "album": "Album",
    "title": "Title",
    "track": "Track",
    "disc": "Disc",
    "year": "Year",
    "genre": "Genre",
}
# MusicBrainz ids: our name -> (ID3 TXXX / MP4 freeform name, Vorbis comment, ASF, APEv2).
MUSICBRAINZ = {
    "recording_id": (
        "MusicBrainz Track Id", "musicbrainz_trackid", "MusicBrainz/Track Id",
        "MUSICBRAINZ_TRACKID",
    ),
    "release_track_id": (
        "MusicBrainz Release Track Id", "musicbrainz_releasetrackid",
        "MusicBrainz/Release Track Id", "MUSICBRAINZ_RELEASETRACKID",
    ),
    "album_id": (
        "MusicBrainz Album Id", "musicbrainz_albumid", "MusicBrainz/Album Id",
        "MUSICBRAINZ_ALBUMID",
    ),
    "artist_id": (
        "MusicBrainz Artist Id", "musicbrainz_artistid", "MusicBrainz/Artist Id",
        "MUSICBRAINZ_ARTISTID",
    ),
    "album_artist_id": (
        "MusicBrainz Album Artist Id", "musicbrainz_albumartistid",
        "MusicBrainz/Album Artist Id", "MUSICBRAINZ_ALBUMARTISTID",
    ),
    "release_group_id": (
        "MusicBrainz Release Group Id", "musicbrainz_releasegroupid",
        "MusicBrainz/Release Group Id", "MUSICBRAINZ_RELEASEGROUPID",
    ),
}  # fmt: skip
# The id keys per tag format; ID3 keeps the recording id in a UFID frame, not in a TXXX one.
_ID3_IDS = {n: f"TXXX:{k[0]}" for n, k in MUSICBRAINZ.items() if n != "recording_id"}
_VORBIS_IDS = {n: (k[1],) for n, k in MUSICBRAINZ.items()}
_MP4_IDS = {n: FREEFORM + k[0] for n, k in MUSICBRAINZ.items()}
_KEYED_IDS = {column: {n: k[column] for n, k in MUSICBRAINZ.items()} for column in (2, 3)}
MAX_INT = 2**31 - 1  # the database's integer columns
Lookup = Callable[[Any], list[str]]


def texts(values: Any) -> list[str]:
    """Stripped, non-empty texts of one tag's values."""
    return [t for t in (v.strip() for v in value_texts(values)) if t]


def leading_number(value: str | None) -> int | None:
    """3 from "3/12", "03" or "2019-05-01" (a year); None when there is no number."""
    match = re.match(r"\s*(\d{1,9})", value or "")
    if not match:
        return None
    number = int(match.group(1))
    return number if 0 <= number <= MAX_INT else None


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _pair(values: list[str]) -> tuple[int | None, int | None]:
    """'3/12' -> (3, 12); '3' -> (3, None)."""
    first, _, second = (_first(values) or "").partition("/")
    return leading_number(first), leading_number(second)


def _common(lookup: Lookup, keys: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {name: _first(lookup(keys[name])) for name in TEXT_FIELDS}
    found["track"] = _pair(lookup(keys["track"])) if "track" in keys else (None, None)
    found["disc"] = _pair(lookup(keys["disc"])) if "disc" in keys else (None, None)
    found["year"] = leading_number(_first(lookup(keys["year"])))
    found["genres"] = lookup(keys["genre"])
    found["musicbrainz"] = {name: _first(lookup(key)) for name, key in ids.items()}
    return found


def _id3(tags: ID3) -> dict[str, Any]:
    def lookup(frame_id: str) -> list[str]:
        return [t for frame in tags.getall(frame_id) for t in texts(frame.text)]

    found = _common(lookup, ID3_FRAMES, _ID3_IDS)
    if found["year"] is None:  # a v2.3 year mutagen did not fold into TDRC
        found["year"] = leading_number(_first(lookup("TYER")))
    ufid = tags.get("UFID:http://musicbrainz.org")
    recording = texts(ufid.data) if ufid is not None and ufid.data else []
    found["musicbrainz"]["recording_id"] = _first(recording)
    return found


def _vorbis(tags: VCommentDict) -> dict[str, Any]:
    # One pass over the comments: each VCommentDict lookup scans them all again.
    index: dict[str, list[str]] = {}
    for key, value in tags:
        index.setdefault(key.lower(), []).append(value)

    def lookup(keys: tuple[str, ...]) -> list[str]:
        for key in keys:
            values = texts(index.get(key))
            if values:
                return values
        return []

    found = _common(lookup, VORBIS_KEYS, _VORBIS_IDS)
    for name in ("track", "disc"):  # a total kept in its own comment
        number, total = found[name]
        if total is None:
            total = leading_number(_first(lookup(VORBIS_KEYS[f"{name}_total"])))
        found[name] = (number, total)
    return found


def _mp4(tags: MP4Tags) -> dict[str, Any]:
    def lookup(key: str) -> list[str]:
        return texts(tags.get(key))

    found = _common(lookup, MP4_KEYS, _MP4_IDS)
    for name, atom in (("track", "trkn"), ("disc", "disk")):
        pair = (tags.get(atom) or [(0, 0)])[0]
        number, total = (tuple(pair) + (0, 0))[:2]
        found[name] = (leading_number(str(number)) if number else None, total or None)
    return found


def _keyed(tags: ASFTags | APEv2, keys: dict[str, str], column: int) -> dict[str, Any]:
    """ASF and APEv2: plain key/value stores with their own key names."""

    def lookup(key: str) -> list[str]:
        return texts(tags[key]) if key in tags else []

    return _common(lookup, keys, _KEYED_IDS[column])


def common_fields(tags: Any) -> dict[str, Any]:
    """artist, album_artist, album, title, track and disc (number, total) pairs, year, genres
    and musicbrainz (name -> id, empty ones left out) from a mutagen tags object or None."""
    if isinstance(tags, ID3):
        found = _id3(tags)
    elif isinstance(tags, MP4Tags):
        found = _mp4(tags)
    elif isinstance(tags, ASFTags):
        found = _keyed(tags, ASF_KEYS, 2)
    elif isinstance(tags, APEv2):
        found = _keyed(tags, APE_KEYS, 3)
    elif isinstance(tags, VCommentDict):
        found = _vorbis(tags)
    else:
        found = dict.fromkeys((*TEXT_FIELDS, "year"))
        found.update(track=(None, None), disc=(None, None), genres=[], musicbrainz={})
    found["musicbrainz"] = {name: value for name, value in found["musicbrainz"].items() if value}
    return found
