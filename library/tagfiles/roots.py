"""The root check made right before a track is read or written: the path must still resolve
inside an enabled library root. Kept apart from the other tag-file modules because it is the
only one that needs the database: the reader and writer stay usable in a bare process, and
callers pass `confine_to_roots` to them where the roots apply."""

from __future__ import annotations

from library.paths import OutsideRoots, PathNotFound, PathRefused, resolve_inside_roots
from library.tagfiles.errors import FileVanished, OutsideLibrary


def confine_to_roots(path: str) -> str:
    """The path resolved (a folder on the way may be a link that stays inside a root), or
    OutsideLibrary when it now leads outside every enabled library root."""
    try:
        resolved, _library = resolve_inside_roots(path)
    except PathNotFound:
        raise FileVanished(path, f"{path} no longer exists") from None
    except OutsideRoots:
        raise OutsideLibrary(
            path, f"{path} now leads outside every library root; Nomarr does not touch it"
        ) from None
    except PathRefused as exc:
        raise OutsideLibrary(path, f"{path} cannot be used: {exc.message}") from None
    return str(resolved)
