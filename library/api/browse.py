"""Folder browsing for the processing page's picker: the sub-folders and audio files of one
folder inside one library, paginated, never showing anything that leads outside the root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from library.api.libraries import get_library
from library.models import Library, Track
from library.paths import is_inside, resolve_inside_roots
from library.tagfiles.formats import SUFFIXES
from nomarr_site.errors import ValidationFailed
from nomarr_site.pagination import PAGE_PARAMETERS, limit_offset, page_body

# A folder is read whole to sort it; past this many entries the listing says it is truncated
# rather than holding an unbounded list in memory.
MAX_ENTRIES = 50_000


@dataclass
class Entry:
    name: str
    path: str
    kind: str  # "folder" | "file"
    size: int | None
    track_id: int | None = None


@dataclass
class Listing:
    path: Path
    parent: str | None
    entries: list[Entry]
    truncated: bool


def _encodable(name: str) -> bool:
    """Names that are not valid UTF-8 cannot travel in JSON (nor be queued by path text)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _entry(entry: os.DirEntry, root: Path) -> Entry | None:
    if entry.name.startswith(".") or not _encodable(entry.name):
        return None  # hidden files include the tag writer's temporary copies
    try:
        if entry.is_symlink():
            # A link is listed only when its target stays inside the library root.
            target = Path(entry.path).resolve(strict=True)
            if not is_inside(target, root):
                return None
        if entry.is_dir():
            return Entry(entry.name, entry.path, "folder", None)
        if entry.is_file() and Path(entry.name).suffix.lower() in SUFFIXES:
            return Entry(entry.name, entry.path, "file", entry.stat().st_size)
    except (OSError, RuntimeError):
        return None  # broken link, loop or vanished entry: nothing the user can pick
    return None


def list_folder(library: Library, user_path: str | None) -> Listing:
    """The folder's entries (folders first, then audio files, each by name); raises
    `PathRefused` for a path outside this library and `ValidationFailed` for a non-folder."""
    root = Path(library.root_path).resolve()
    folder, _library = resolve_inside_roots(user_path or library.root_path, [library], field="path")
    if not folder.is_dir():
        raise ValidationFailed(f"Not a folder: {user_path}", details={"path": user_path})
    entries: list[Entry] = []
    truncated = False
    try:
        with os.scandir(folder) as scan:
            for item in scan:
                if len(entries) >= MAX_ENTRIES:
                    truncated = True
                    break
                entry = _entry(item, root)
                if entry is not None:
                    entries.append(entry)
    except PermissionError:
        raise ValidationFailed(f"Nomarr may not read the folder {folder}") from None
    entries.sort(key=lambda e: (e.kind != "folder", e.name.casefold(), e.name))
    parent = None if folder == root else str(folder.parent)
    return Listing(folder, parent, entries, truncated)


def _attach_tracks(library: Library, entries: list[Entry]) -> None:
    """Give the page's files their track ids (one query for the page)."""
    files = {entry.path: entry for entry in entries if entry.kind == "file"}
    known = Track.objects.filter(library=library, path__in=list(files)).values_list("path", "id")
    for path, track_id in known:
        files[path].track_id = track_id


class EntrySerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField()
    kind = serializers.CharField(help_text='"folder" or "file"')
    size = serializers.IntegerField(allow_null=True)
    track_id = serializers.IntegerField(
        allow_null=True, help_text="The file's track when a scan has seen it (its track page)."
    )


class BrowseSerializer(serializers.Serializer):
    """The page envelope (nomarr_site/pagination.py) with the folder it lists."""

    library_id = serializers.IntegerField()
    path = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="null at the library root")
    count = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    truncated = serializers.BooleanField(
        help_text=f"The folder holds more than {MAX_ENTRIES} entries; only those are listed."
    )
    results = EntrySerializer(many=True)


class BrowseParameters(serializers.Serializer):
    path = serializers.CharField(max_length=4096, required=False, trim_whitespace=False)


class LibraryBrowseView(APIView):
    """GET /api/web/libraries/{id}/browse?path=: one folder of a library, for the picker."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "path",
                OpenApiTypes.STR,
                description="Absolute folder inside the library; the root when absent.",
            ),
            *PAGE_PARAMETERS,
        ],
        responses=BrowseSerializer,
    )
    def get(self, request, library_id: int):
        library = get_library(library_id)
        if not library.is_enabled:
            raise ValidationFailed(f"Library '{library.name}' is disabled; enable it first.")
        query = BrowseParameters(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit, offset = limit_offset(request.query_params)
        listing = list_folder(library, query.validated_data.get("path"))
        page = listing.entries[offset : offset + limit]
        _attach_tracks(library, page)
        body = {
            "library_id": library.pk,
            "path": str(listing.path),
            "parent": listing.parent,
            "truncated": listing.truncated,
            **page_body([entry.__dict__ for entry in page], len(listing.entries), limit, offset),
        }
        return Response(body)
