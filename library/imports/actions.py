"""What an import does with its file, by kind: audio moves into the music library (then a tag
job is queued for it), a video becomes an episode of a known series (renamed into its season
folder and marked present), an NZB is checked and handed to SABnzbd or NZBGet (then removed
from the import folder, as a downloader's watched folder would). Each finishes what an earlier
attempt of the same item began (see `placing.place` and `ImportItem.record_hand_over`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q

from jobs.runner import JobFailed
from library.imports.clients.nzbget import Nzbget
from library.imports.clients.sabnzbd import Sabnzbd
from library.imports.nzb import read_nzb
from library.imports.placing import make_folders, place, remove_source, safe_parts
from library.imports.sources import Source
from library.models import Episode, ImportItem, Library, Series
from library.series import naming
from library.series.scan import folder_of, usable_root
from library.tagging.tag_job import queue_tag
from nomarr_site import config
from nomarr_site.domain import Invalid

# The show's name before the episode code: "Show.Name.S01E02.1080p" → "Show.Name."
_BEFORE_CODE = re.compile(r"^(?P<show>.+?)[ ._-]*(?:s\d{1,3}e\d{1,4}|\d{1,2}x\d{2,4})", re.I)


class NoImportTarget(Invalid):
    """Where the file would go is not configured (checked on request and again in the job)."""


@dataclass(frozen=True)
class Outcome:
    status: str
    message: str
    destination: str = ""
    downloader_id: str = ""


def music_library() -> Library:
    """The library audio is imported into: `imports.music_library`, or the default enabled
    music library, else the enabled music library created first."""
    chosen = config.get("import_music_library")
    rows = Library.objects.filter(is_enabled=True, kind=Library.Kind.MUSIC)
    library = (
        rows.filter(pk=chosen).first() if chosen else rows.order_by("-is_default", "pk").first()
    )
    if library is None:
        if chosen:
            raise NoImportTarget(
                f"imports.music_library names library {chosen}, which is not an enabled music "
                "library"
            )
        raise NoImportTarget("No enabled music library to import audio into; add one first")
    return library


def _secret(key: str) -> str:
    """A downloader's sealed credential; NoImportTarget asking for it again when it no longer
    opens (it would otherwise read as unset and the downloader would refuse us)."""
    try:
        return str(config.secret(key))
    except config.SecretUnreadable:
        raise NoImportTarget(
            f"The stored imports.{key} cannot be read (was the secret key changed?); "
            "enter it again",
            details={"setting": f"imports.{key}"},
        ) from None


def nzb_client() -> Sabnzbd | Nzbget:
    """The configured downloader; NoImportTarget naming the settings that are missing."""
    which = config.get("import_nzb_client")
    if which == "sabnzbd":
        url, key = config.get("sabnzbd_url"), _secret("sabnzbd_api_key")
        if not url or not key:
            raise NoImportTarget("Set imports.sabnzbd_url and imports.sabnzbd_api_key first")
        return Sabnzbd(url, key, config.get("sabnzbd_category"))
    if which == "nzbget":
        url = config.get("nzbget_url")
        if not url:
            raise NoImportTarget("Set imports.nzbget_url (and its username and password) first")
        return Nzbget(
            url,
            config.get("nzbget_username"),
            _secret("nzbget_password"),
            config.get("nzbget_category"),
        )
    raise NoImportTarget("No NZB client is configured; set imports.nzb_client to sabnzbd or nzbget")


def relative_destination(item: ImportItem, source: Source) -> str:
    """Where below the library the file goes: its path below `relative_path` (AltMount: the
    part stripped from the destination), else its file name alone."""
    if item.relative_path:
        return os.path.relpath(source.given, item.relative_path)
    return os.path.basename(source.given)


def import_audio(item: ImportItem, source: Source) -> Outcome:
    library = music_library()
    parts = safe_parts(relative_destination(item, source))
    folder = make_folders(Path(library.root_path), parts[:-1])
    destination = place(item, source.resolved, folder / parts[-1])
    job = queue_tag(str(destination), library=library)
    message = f"Imported into {library.name}; tag job {job.pk} queued"
    return Outcome(ImportItem.Status.IMPORTED, message, destination=str(destination))


def show_candidates(relative: str) -> list[str]:
    """Names the file's folders and its own name give for its show, nearest folder first."""
    path = Path(relative)
    names: list[str] = []
    for folder in reversed(path.parts[:-1]):
        if naming.season_of_folder(folder) is None and folder.lower() not in naming.IGNORED_FOLDERS:
            names += [folder, naming.parse_folder_name(folder).name]
    match = _BEFORE_CODE.match(path.stem)
    if match:
        names.append(re.sub(r"[._]+", " ", match.group("show")).strip(" -"))
    return [name for name in dict.fromkeys(names) if name]


def find_series(candidates: list[str]) -> Series | None:
    for name in candidates:
        found = Series.objects.filter(Q(folder__iexact=name) | Q(name__iexact=name)).first()
        if found is not None:
            return found
    return None


def import_video(item: ImportItem, source: Source) -> Outcome:
    relative = (
        os.path.relpath(source.given, item.relative_path)
        if item.relative_path
        else os.path.relpath(source.given, source.base)
    )
    ref = naming.parse_episode(relative)
    if ref.season is None or not ref.episodes:
        raise JobFailed(f"{os.path.basename(relative)} names no season and episode (S01E02, 1x02)")
    candidates = show_candidates(relative)
    series = find_series(candidates)
    if series is None:
        tried = ", ".join(repr(c) for c in candidates) or "nothing"
        raise JobFailed(f"No series matches {tried} by folder or name; add the show first")
    season_folder = "Specials" if ref.season == 0 else f"Season {ref.season:02d}"
    folder_of(series)  # refuses a show folder that a link leads out of the series directory
    folder = make_folders(usable_root(), [series.folder, season_folder])
    first = ref.episodes[0]
    known = series.episodes.filter(season=ref.season, number=first).first()
    name = naming.episode_file_name(
        series.name, ref.season, first, known.title if known else "", source.resolved.suffix
    )
    destination = place(item, source.resolved, folder / name)
    for number in ref.episodes:
        Episode.objects.update_or_create(
            series=series,
            season=ref.season,
            number=number,
            defaults={"path": str(destination), "is_present": True},
        )
    codes = ", ".join(f"S{ref.season:02d}E{n:02d}" for n in ref.episodes)
    return Outcome(
        ImportItem.Status.IMPORTED, f"Imported as {series.name} {codes}", str(destination)
    )


def hand_over_nzb(item: ImportItem, source: Source) -> Outcome:
    if item.downloader_id:  # an earlier attempt handed it over, then its worker stopped
        remove_source(source.resolved)
        message = (
            f"Handed over as {item.downloader_id} by an earlier attempt of this import; "
            "not sent again"
        )
        return Outcome(ImportItem.Status.HANDED_OVER, message, downloader_id=item.downloader_id)
    nzb = read_nzb(source.resolved)
    client = nzb_client()
    if isinstance(client, Sabnzbd):
        downloader_id, where = client.add_file(nzb.name, nzb.content), "SABnzbd"
    else:
        downloader_id, where = str(client.append(nzb.name, nzb.content)), "NZBGet"
    message = f"Handed to {where} as {downloader_id} ({nzb.files} files, {nzb.total_bytes} bytes)"
    item.record_hand_over(downloader_id, message)
    remove_source(source.resolved)  # handed over all the same if it stays
    return Outcome(ImportItem.Status.HANDED_OVER, message, downloader_id=downloader_id)


ACTIONS = {"audio": import_audio, "video": import_video, "nzb": hand_over_nzb}
