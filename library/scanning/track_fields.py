"""Turns what the walk and the tag reader (`library.tagfiles.reader.read_tags`) found into `Track`
column values that every database accepts: no NUL bytes, no lone surrogates, no text longer
than its column, namespace tags in the shape `Track.namespace_tags` keeps."""

from __future__ import annotations

import os
from typing import Any

from library.tagfiles.reader import FileTags

TEXT_LIMITS = {
    "artist": 1000,
    "album_artist": 1000,
    "album": 1000,
    "title": 1000,
    "genre": 500,
    "musicbrainz_recording_id": 255,
    "musicbrainz_track_id": 255,
    "musicbrainz_album_id": 255,
    "musicbrainz_artist_id": 255,
}
NUMBER_FIELDS = ("track_number", "disc_number", "year")
# Track column -> the reader's MusicBrainz id name.
MUSICBRAINZ_COLUMNS = {
    "musicbrainz_recording_id": "recording_id",
    "musicbrainz_track_id": "release_track_id",
    "musicbrainz_album_id": "album_id",
    "musicbrainz_artist_id": "artist_id",
}
# Every column a scan sets; bulk_update writes exactly these.
SCANNED_FIELDS = [
    "library",
    "path",
    "relative_path",
    "size",
    "mtime",
    "format",
    "codec",
    "sample_rate",
    "channels",
    "bitrate",
    "duration",
    *TEXT_LIMITS,
    *NUMBER_FIELDS,
    "namespace_tags",
    "is_readable",
    "read_error",
    "last_seen_scan",
    "updated_at",
]


# What the scanner and `nom run` say about a file they cannot store or tag by name.
UNSTORABLE_NAME_REASON = "The file name is not valid UTF-8; rename the file so Nomarr can use it."


def is_storable(path: str) -> bool:
    """False for a name that is not valid UTF-8 (Python keeps those bytes as surrogates)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readable_path(path: str) -> str:
    """A text form of any OS path: undecodable bytes become `\\xNN` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def clean_text(value: Any, limit: int) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\x00", "")
    if not is_storable(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text[:limit]


def clean_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {clean_text(k, 500): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return clean_text(value, 10_000)


def stored_namespace(tags: dict[str, list[str]]) -> dict[str, Any]:
    """Namespace tags as `Track.namespace_tags` keeps them (the scanner and the tagger both):
    keys in lower case, values stripped and empty ones dropped, a single value as a string.
    Keys differing only in case are one tag, as for the tagger."""
    merged: dict[str, list[str]] = {}
    for key, values in tags.items():
        kept = [text for text in (value.strip() for value in values) if text]
        if kept:
            merged.setdefault(key.lower(), []).extend(kept)
    return {key: values[0] if len(values) == 1 else values for key, values in merged.items()}


def _tag_values(tags: FileTags) -> dict[str, Any]:
    values = {
        "artist": tags.artist,
        "album_artist": tags.album_artist,
        "album": tags.album,
        "title": tags.title,
        "genre": tags.genres[0] if tags.genres else None,
        "track_number": tags.track_number,
        "disc_number": tags.disc_number,
        "year": tags.year,
    }
    values.update(
        {column: tags.musicbrainz.get(name) for column, name in MUSICBRAINZ_COLUMNS.items()}
    )
    return values


def stream_fields(info: FileTags | None, error: str = "") -> dict[str, Any]:
    """Columns from a successful read, or the emptied columns of an unreadable file."""
    if info is None:
        values: dict[str, Any] = dict.fromkeys(TEXT_LIMITS, "")
        values.update(dict.fromkeys(NUMBER_FIELDS))
        values.update(
            format="",
            codec="",
            sample_rate=None,
            channels=None,
            bitrate=None,
            duration=None,
            namespace_tags={},
            is_readable=False,
            read_error=clean_text(error, 2000),
        )
        return values
    found = _tag_values(info)
    values = {key: clean_text(found[key], limit) for key, limit in TEXT_LIMITS.items()}
    values.update({key: found[key] for key in NUMBER_FIELDS})
    values.update(
        format=info.format,
        codec=info.codec,
        sample_rate=info.sample_rate,
        channels=info.channels,
        bitrate=info.bitrate,
        duration=round(info.duration, 3),
        namespace_tags=clean_json(stored_namespace(info.namespace)),
        is_readable=True,
        read_error="",
    )
    return values
