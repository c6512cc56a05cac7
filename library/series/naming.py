"""Names in the series library: folder names from display names (sanitised), URL-safe keys,
"Show (Year)" folders, and the season/episode numbers a video file's name carries.

Recognised file names (case does not matter, `.`/`_`/` ` separate words):

| style                  | example                                   | gives                   |
|------------------------|-------------------------------------------|-------------------------|
| `SxxEyy`               | `Show - S01E02 - Title.mkv`               | season 1, episode 2     |
| multi-episode          | `S01E02E03`, `S01E02-E03`, `S01E02-03`    | season 1, episodes 2, 3 |
| `NxNN`                 | `Show 1x02.mkv`, `1x02-03`                | season 1, episode 2(,3) |
| `Eyy` in a season dir  | `Season 02/E05.mkv`, `Specials/Ep 1.mkv`  | season 2 / 0, episode   |
| absolute numbering     | `[Group] Show - 012 [1080p].mkv`          | absolute episode 12     |

Specials are season 0 (`S00E01`, or a `Specials` folder). An absolute number is mapped to a
season and episode by the scan, from the provider's episode order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.text import slugify

VIDEO_EXTENSIONS = frozenset(
    {".mkv", ".mp4", ".m4v", ".avi", ".mov", ".wmv", ".ts", ".m2ts", ".webm", ".flv", ".mpg",
     ".mpeg", ".ogm", ".divx"}
)  # fmt: skip
# Folders whose videos are not episodes.
IGNORED_FOLDERS = frozenset(
    {"extras", "featurettes", "behind the scenes", "trailers", "samples", "sample", "other"}
)
FORBIDDEN_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
MAX_FOLDER_LENGTH = 255

_SXXEYY = re.compile(
    r"(?<![a-z0-9])s(\d{1,3})[ ._-]?e(\d{1,4})((?:[ ._]?-?[ ._]?e\d{1,4}|-\d{1,4}(?![0-9a-z]))*)",
    re.IGNORECASE,
)
_NXNN = re.compile(r"(?<![a-z0-9])(\d{1,2})x(\d{2,4})((?:[-x]\d{2,4})*)(?![a-z0-9])", re.I)
_EPISODE_ONLY = re.compile(r"(?<![a-z0-9])(?:e|ep|episode)[ ._-]?(\d{1,4})(?![0-9])", re.I)
_SEASON_FOLDER = re.compile(r"^(?:season|staffel|saison|series|s)[ ._-]*(\d{1,3})$", re.I)
_SPECIALS_FOLDER = re.compile(r"^specials?$", re.I)
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_NOISE = re.compile(
    r"(?<![a-z0-9])(?:\d{3,4}p|[xh][ .]?26[45]|hevc|avc|10-?bit|8-?bit|aac\d?(?:\.\d)?|"
    r"flac|dts|ac3|opus|web-?dl|web-?rip|blu-?ray|bd-?rip|hdtv|dvd-?rip|remux|uhd|hdr|"
    r"(?:dd|ddp)\d(?:\.\d)?)(?![a-z0-9])",
    re.I,
)
_DASH_NUMBER = re.compile(r"\s-\s+(\d{1,4})(?:v\d)?(?:\s|$)")
_LAST_NUMBER = re.compile(r"(?<![\w.])(\d{1,4})(?:v\d)?(?![\w])")
_FOLDER_YEAR = re.compile(r"^(?P<name>.*?)\s*\((?P<year>\d{4})\)\s*$")
_FOLDER_IDS = re.compile(r"\s*[\[{](?:tmdbid|tmdb)[-=](?P<id>\d{1,10})[\]}]", re.I)
_MAX_RANGE = 20  # S01E01-E24 is a range; S01E01-E99 a typo, read as the two numbers


@dataclass(frozen=True)
class EpisodeRef:
    """What a file name says: a season and its episode numbers, or absolute numbers."""

    season: int | None = None
    episodes: tuple[int, ...] = ()
    absolute: tuple[int, ...] = field(default=())

    @property
    def found(self) -> bool:
        return bool(self.episodes or self.absolute)


@dataclass(frozen=True)
class FolderName:
    name: str
    year: int | None
    tmdb_id: int | None


def sanitize_folder(name: str) -> str:
    """`name` as a folder name: `< > : " / \\ | ? *` and control characters removed, spaces and
    dots trimmed at both ends, Unicode kept ("Attack on Titan: Final Season" →
    "Attack on Titan Final Season"). Empty when nothing usable is left."""
    cleaned = FORBIDDEN_CHARACTERS.sub("", unicodedata.normalize("NFC", name or ""))
    cleaned = re.sub(r"\s{2,}", " ", cleaned).strip(" \t.")
    return cleaned[:MAX_FOLDER_LENGTH].strip(" .")


def episode_file_name(show: str, season: int, episode: int, title: str, extension: str) -> str:
    """The file name of a downloaded or imported episode, `Show - S01E02 - Title.ext` (the
    title part left out when there is none), each part sanitised like a folder name; the
    extension keeps its dot and is lower-cased. ValueError when the show name leaves nothing
    usable or the extension is not a video extension."""
    ext = extension.lower() if extension.startswith(".") else "." + extension.lower()
    if ext not in VIDEO_EXTENSIONS:
        raise ValueError(f"{extension!r} is not a video file extension")
    show_part = sanitize_folder(show)
    if not show_part:
        raise ValueError(f"the show name {show!r} leaves no usable file name")
    code = f"S{season:02d}E{episode:02d}"
    title_part = sanitize_folder(title)
    stem = f"{show_part} - {code}" + (f" - {title_part}" if title_part else "")
    # Keep the name within the usual 255-byte limit of a file name, extension included.
    while len((stem + ext).encode()) > MAX_FOLDER_LENGTH and title_part:
        title_part = title_part[:-1].rstrip(" .")
        stem = f"{show_part} - {code}" + (f" - {title_part}" if title_part else "")
    return stem + ext


def make_key(text: str, fallback_id: int | str | None = None) -> str:
    """A URL-safe key (lower-case ASCII letters, digits and '-') from `text`; a name with no
    ASCII letters (a Japanese title) gives `series-<fallback id>` or a digest of the name."""
    key = slugify(text)[:150].strip("-")
    if key:
        return key
    if fallback_id is not None and str(fallback_id).strip():
        return f"series-{fallback_id}"
    return "series-" + hashlib.sha256((text or "").encode()).hexdigest()[:12]


def parse_folder_name(folder: str) -> FolderName:
    """`Show (2013)` → ("Show", 2013); a `[tmdbid-1429]` or `{tmdb-1429}` tag gives the id."""
    tmdb_id = None
    match = _FOLDER_IDS.search(folder)
    if match:
        tmdb_id = int(match.group("id"))
        folder = _FOLDER_IDS.sub("", folder)
    folder = folder.strip()
    year_match = _FOLDER_YEAR.match(folder)
    if year_match and 1900 <= int(year_match.group("year")) <= 2100:
        return FolderName(
            year_match.group("name").strip() or folder, int(year_match["year"]), tmdb_id
        )
    return FolderName(folder, None, tmdb_id)


def season_of_folder(name: str) -> int | None:
    """`Season 01`, `S2`, `Staffel 3` → the number; `Specials` → 0; anything else None."""
    if _SPECIALS_FOLDER.match(name.strip()):
        return 0
    match = _SEASON_FOLDER.match(name.strip())
    return int(match.group(1)) if match else None


def is_video(name: str) -> bool:
    return PurePath(name).suffix.lower() in VIDEO_EXTENSIONS and not name.startswith(".")


def _numbers(first: int, tail: str) -> tuple[int, ...]:
    """The episode numbers of `E02E03`, `E02-E05` (a range) or `E02-03`."""
    numbers = [first]
    for match in re.finditer(r"(-)?[ ._]?e?(\d{1,4})", tail, re.I):
        number = int(match.group(2))
        previous = numbers[-1]
        if match.group(1) and previous < number <= previous + _MAX_RANGE:
            numbers.extend(range(previous + 1, number + 1))
        elif number not in numbers:
            numbers.append(number)
    return tuple(dict.fromkeys(numbers))


def _absolute(stem: str) -> tuple[int, ...]:
    text = _NOISE.sub(" ", _BRACKETS.sub(" ", stem)).replace("_", " ")
    text = re.sub(r"\s+", " ", text.replace(".", " ")).strip()
    match = _DASH_NUMBER.search(text + " ") or None
    numbers = [int(match.group(1))] if match else []
    if not numbers:
        candidates = [int(m.group(1)) for m in _LAST_NUMBER.finditer(text)]
        candidates = [n for n in candidates if not 1900 <= n <= 2100]
        numbers = candidates[-1:]
    return tuple(n for n in numbers if n > 0)


def parse_episode(relative_path: str) -> EpisodeRef:
    """What the file at `relative_path` (inside a series folder) is, by its name and its
    season folder. An unrecognised name gives an `EpisodeRef` whose `found` is False."""
    path = PurePath(relative_path)
    stem = path.stem
    match = _SXXEYY.search(stem)
    if match:
        return EpisodeRef(int(match.group(1)), _numbers(int(match.group(2)), match.group(3)))
    match = _NXNN.search(stem)
    if match:
        tail = match.group(3).replace("x", "-")
        return EpisodeRef(int(match.group(1)), _numbers(int(match.group(2)), tail))
    folder_season = season_of_folder(path.parent.name) if len(path.parts) > 1 else None
    match = _EPISODE_ONLY.search(_BRACKETS.sub(" ", stem))
    if match and folder_season is not None:
        return EpisodeRef(folder_season, (int(match.group(1)),))
    if match:
        return EpisodeRef(absolute=(int(match.group(1)),))
    absolute = _absolute(stem)
    if absolute and folder_season is not None:
        return EpisodeRef(folder_season, absolute)
    return EpisodeRef(absolute=absolute)
