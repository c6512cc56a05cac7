"""Series artwork: which TMDB images to use and downloading them into the show's folder as
`poster.jpg`, `logo.png` and `fanart.jpg`.

A download goes to a temporary file beside the target, is checked (an image of the expected
kind, at most `MAX_IMAGE_BYTES`) and only then renamed over the target, so a failed or
interrupted download leaves the previous file as it was. Images come from the base URL of
TMDB's own configuration answer; the API key is never sent to the image host.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from media_meta.nfo import MEDIA_READABLE, Artwork
from media_meta.tmdb import TmdbUnavailable
from nomarr_site.files import discard, move_into_place

logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 25 * 1024 * 1024
MEDIA_FILES = {"poster": "poster.jpg", "logo": "logo.png", "fanart": "fanart.jpg"}
_MAGIC = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}
ACCEPTED = {"poster": {"jpeg", "png"}, "logo": {"png"}, "fanart": {"jpeg", "png"}}


def _best(images: list[Any], language: str, suffix: str = "") -> str | None:
    """The file path of the image in `language` (then without language, then any) with the
    most votes, only `suffix` files when given."""
    usable = [
        i
        for i in images
        if isinstance(i, dict)
        and isinstance(i.get("file_path"), str)
        and i["file_path"].lower().endswith(suffix)
    ]
    rank = {language: 0, None: 1}
    usable.sort(key=lambda i: (rank.get(i.get("iso_639_1"), 2), -float(i.get("vote_average") or 0)))
    return usable[0]["file_path"] if usable else None


def choose(show: dict[str, Any], configuration: dict[str, Any], language: str) -> Artwork:
    """The show's poster, PNG logo and fanart as full URLs (original size)."""
    images_config = configuration.get("images") or {}
    base = str(images_config.get("secure_base_url") or images_config.get("base_url") or "")
    if not base:
        raise TmdbUnavailable("TMDB's configuration names no image base URL")
    images = show.get("images") or {}
    lang = language.split("-")[0]
    poster = show.get("poster_path") or _best(images.get("posters") or [], lang)
    logo = _best(images.get("logos") or [], lang, ".png")
    fanart = show.get("backdrop_path") or _best(images.get("backdrops") or [], lang)
    original = base.rstrip("/") + "/original"
    return Artwork(
        poster=f"{original}{poster}" if poster else None,
        logo=f"{original}{logo}" if logo else None,
        fanart=f"{original}{fanart}" if fanart else None,
        profile_base=base.rstrip("/") + "/w185",
    )


def media_status(folder: Path) -> dict[str, Any]:
    """The reference's `media_files` object for a show folder."""
    status: dict[str, Any] = {}
    for name, filename in MEDIA_FILES.items():
        path = folder / filename
        present = path.is_file()
        status[f"has_{name}"] = present
        status[f"{name}_path"] = str(path) if present else None
    return {key: status[key] for key in sorted(status, key=lambda k: (k.endswith("_path"), k))}


def _kind(head: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def _receive(response: httpx.Response, out: BinaryIO, name: str) -> None:
    """Copy an image answer into `out`, refusing a failed answer, a file over the size limit
    and anything that is not the expected kind of image."""
    if response.status_code != 200:
        raise TmdbUnavailable(f"The {name} image could not be fetched ({response.status_code})")
    size, kind = 0, None
    for chunk in response.iter_bytes():
        kind = kind or _kind(chunk)
        size += len(chunk)
        if size > MAX_IMAGE_BYTES:
            raise TmdbUnavailable(f"The {name} image is larger than 25 MiB")
        out.write(chunk)
    if kind not in ACCEPTED[name]:
        wanted = " or ".join(sorted(ACCEPTED[name]))
        raise TmdbUnavailable(f"The {name} image is not a {wanted}")
    out.flush()
    os.fsync(out.fileno())


def download(url: str, folder: Path, name: str, timeout: float = 30.0) -> Path:
    """Fetch `url` into `folder/MEDIA_FILES[name]` (see the module docstring)."""
    target = folder / MEDIA_FILES[name]
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".nomarr-tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, httpx.stream("GET", url, timeout=timeout) as response:
            _receive(response, out, name)
        os.chmod(temp, MEDIA_READABLE)
        move_into_place(temp, target)
    except httpx.HTTPError as exc:
        discard(temp)
        reason = type(exc).__name__
        raise TmdbUnavailable(f"The {name} image could not be fetched ({reason})") from None
    except BaseException:
        discard(temp)
        raise
    return target


def download_all(art: Artwork, folder: Path, wanted: dict[str, bool]) -> list[str]:
    """Download each wanted image TMDB has; returns the problems (one line each)."""
    problems = []
    for name, url in (("poster", art.poster), ("logo", art.logo), ("fanart", art.fanart)):
        if not wanted.get(name) or not url:
            continue
        try:
            download(url, folder, name)
        except TmdbUnavailable as exc:
            logger.warning("%s: %s", folder.name, exc.message)
            problems.append(exc.message)
        except OSError as exc:
            problems.append(f"Cannot write {MEDIA_FILES[name]} in {folder}: {exc.strerror}")
    return problems
