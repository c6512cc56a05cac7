"""Kodi's `tvshow.nfo`: built from TMDB's show details, read safely, and merged into an
existing file so that every element Nomarr does not manage survives an update.

Nomarr manages: title, originaltitle, showtitle, plot, outline, premiered, year, status,
studio, genre, mpaa, ratings, `uniqueid` of types tmdb/tvdb/imdb (tmdb is the default), the
poster and clearlogo `thumb`s, fanart and actors. Anything else (a banner thumb, a user's
`<tag>`, another tool's elements) is kept, after the managed ones, in its order. Files are
read with defusedxml and a DTD is refused outright, so entity expansion ("billion laughs")
and external entities never run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - only builds and serialises; parsing is defusedxml
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException

from nomarr_site.domain import Unprocessable
from nomarr_site.files import atomic_write

NFO_NAME = "tvshow.nfo"
MAX_NFO_BYTES = 5 * 1024 * 1024
MAX_ACTORS = 50
MEDIA_READABLE = 0o644  # media servers run as other users and must read it
SIMPLE_TAGS = ("title", "originaltitle", "showtitle", "plot", "outline", "premiered", "year",
               "status", "mpaa")  # fmt: skip
MANAGED_TAGS = frozenset({*SIMPLE_TAGS, "studio", "genre", "ratings", "fanart", "actor"})
MANAGED_THUMBS = frozenset({"poster", "clearlogo"})
MANAGED_IDS = frozenset({"tmdb", "tvdb", "imdb"})


class NfoUnreadable(Unprocessable):
    """The existing tvshow.nfo cannot be used (not XML, not a tvshow, or it declares a DTD)."""


@dataclass(frozen=True)
class Artwork:
    """Full URLs of the show's images (None when TMDB has none)."""

    poster: str | None = None
    logo: str | None = None
    fanart: str | None = None
    profile_base: str = ""  # prefix of actors' profile images


def _text(parent: ET.Element, tag: str, value: Any, **attrs: str) -> None:
    if value is None or value == "":
        return
    element = ET.SubElement(parent, tag, attrs)
    element.text = str(value)


def _rating(show: dict[str, Any]) -> str:
    for entry in (show.get("content_ratings") or {}).get("results") or []:
        if isinstance(entry, dict) and entry.get("iso_3166_1") == "US" and entry.get("rating"):
            return str(entry["rating"])
    return ""


def _plain(show: dict[str, Any], root: ET.Element) -> None:
    aired = str(show.get("first_air_date") or "")
    plot = str(show.get("overview") or "")
    values = {
        "title": show.get("name"),
        "originaltitle": show.get("original_name"),
        "showtitle": show.get("name"),
        "plot": plot,
        "outline": plot.split("\n")[0],
        "premiered": aired,
        "year": aired[:4] if aired[:4].isdigit() else "",
        "status": show.get("status"),
        "mpaa": _rating(show),
    }
    for tag in SIMPLE_TAGS:
        _text(root, tag, values[tag])


def _named(show: dict[str, Any], key: str) -> list[str]:
    return [str(i["name"]) for i in show.get(key) or [] if isinstance(i, dict) and i.get("name")]


def _ids_and_ratings(show: dict[str, Any], root: ET.Element) -> None:
    ratings = ET.SubElement(root, "ratings")
    rating = ET.SubElement(
        ratings, "rating", {"name": "themoviedb", "max": "10", "default": "true"}
    )
    _text(rating, "value", show.get("vote_average", 0))
    _text(rating, "votes", show.get("vote_count", 0))
    external = show.get("external_ids") or {}
    _text(root, "uniqueid", show.get("id"), type="tmdb", default="true")
    _text(root, "uniqueid", external.get("tvdb_id"), type="tvdb")
    _text(root, "uniqueid", external.get("imdb_id"), type="imdb")
    for genre in _named(show, "genres"):
        _text(root, "genre", genre)
    for studio in _named(show, "networks") or _named(show, "production_companies"):
        _text(root, "studio", studio)


def _images_and_cast(show: dict[str, Any], art: Artwork, root: ET.Element) -> None:
    _text(root, "thumb", art.poster, aspect="poster")
    _text(root, "thumb", art.logo, aspect="clearlogo")
    if art.fanart:
        _text(ET.SubElement(root, "fanart"), "thumb", art.fanart)
    cast = (show.get("credits") or {}).get("cast") or []
    for index, person in enumerate(cast[:MAX_ACTORS]):
        if not isinstance(person, dict) or not person.get("name"):
            continue
        actor = ET.SubElement(root, "actor")
        _text(actor, "name", person["name"])
        _text(actor, "role", person.get("character"))
        _text(actor, "order", person.get("order", index))
        if person.get("profile_path") and art.profile_base:
            _text(actor, "thumb", art.profile_base + str(person["profile_path"]))


def managed_elements(show: dict[str, Any], art: Artwork) -> list[ET.Element]:
    """The elements Nomarr writes for `show`, in Kodi's usual order."""
    root = ET.Element("tvshow")
    _plain(show, root)
    _ids_and_ratings(show, root)
    _images_and_cast(show, art, root)
    return list(root)


def is_managed(element: ET.Element) -> bool:
    if element.tag == "thumb":
        return element.get("aspect") in MANAGED_THUMBS
    if element.tag == "uniqueid":
        return element.get("type") in MANAGED_IDS
    return element.tag in MANAGED_TAGS


def parse(data: bytes) -> ET.Element:
    """The root of an NFO's XML, refusing DTDs and entities; `NfoUnreadable` says why."""
    if len(data) > MAX_NFO_BYTES:
        raise NfoUnreadable(f"{NFO_NAME} is larger than {MAX_NFO_BYTES // (1024 * 1024)} MiB")
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException:
        raise NfoUnreadable(
            f"{NFO_NAME} declares a DTD or entities, which Nomarr refuses to read"
        ) from None
    except ET.ParseError as exc:
        raise NfoUnreadable(f"{NFO_NAME} is not valid XML: {exc}") from None
    if root.tag != "tvshow":
        raise NfoUnreadable(f"{NFO_NAME} holds <{root.tag}>, not <tvshow>")
    return root


def read(path: Path) -> ET.Element:
    return parse(path.read_bytes())


def tmdb_id_of(root: ET.Element) -> int | None:
    """The TMDB id an NFO names (`uniqueid type="tmdb"`, or `tmdbid`)."""
    for element in root:
        text = (element.text or "").strip()
        is_tmdb = element.tag == "uniqueid" and element.get("type") == "tmdb"
        if (is_tmdb or element.tag == "tmdbid") and text.isdigit():
            return int(text)
    return None


def render(show: dict[str, Any], art: Artwork, existing: ET.Element | None = None) -> bytes:
    """The NFO for `show`: the managed elements, then the others `existing` holds."""
    root = ET.Element("tvshow", dict(existing.attrib) if existing is not None else {})
    root.extend(managed_elements(show, art))
    for element in list(existing) if existing is not None else []:
        if is_managed(element):
            continue
        if element.tag == "uniqueid":
            element.attrib.pop("default", None)  # the TMDB id is the default now
        root.append(element)
    ET.indent(root, space="  ")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body + b"\n"


def write(folder: Path, show: dict[str, Any], art: Artwork, merge: bool = True) -> Path:
    """Write `folder/tvshow.nfo` atomically; with `merge`, an existing file's unmanaged
    elements are kept (an unreadable one is refused, never overwritten silently)."""
    path = folder / NFO_NAME
    existing = read(path) if merge and path.is_file() else None
    atomic_write(path, render(show, art, existing), mode=MEDIA_READABLE)
    return path
