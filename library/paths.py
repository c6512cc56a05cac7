"""Path safety (ARCHITECTURE §7): a path a user or a webhook sends must resolve inside an
enabled library root, and library roots themselves must be real, readable and never nested."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from library.models import Library
from nomarr_site import system_folders
from nomarr_site.domain import Conflict, Forbidden, Invalid


class PathRefused(Invalid):
    """A path that may not be used; `path` is the path as given. Malformed, missing and
    system paths are `Invalid`; the subclasses below that mean more say so by their bases."""

    def __init__(self, message: str, path: str = "", *, field: str | None = None):
        super().__init__(message, field=field, details={"path": path} if path else None)
        self.path = path


class InvalidPath(PathRefused):
    """Malformed: empty, a NUL byte, relative, a symlink loop, too long."""


class PathNotFound(PathRefused):
    """Nothing exists at the path (refused as invalid input, not a missing resource)."""


class OutsideRoots(PathRefused, Forbidden):
    """The path (or where its symlinks lead) lies outside every enabled library root."""


class SystemFolder(PathRefused):
    """A library root that is (or lies inside) an operating-system folder or Nomarr's data dir."""


class RootConflict(PathRefused, Conflict):
    """A library root that equals, lies inside, or contains another library's root."""


MAX_PATH_LENGTH = 4096


def _check_text(user_path: object) -> str:
    if not isinstance(user_path, str) or not user_path.strip():
        raise InvalidPath("The path is empty.")
    if "\x00" in user_path:
        raise InvalidPath("The path contains a NUL byte.")
    if len(user_path) > MAX_PATH_LENGTH:
        raise InvalidPath(f"The path is longer than {MAX_PATH_LENGTH} characters.")
    if not os.path.isabs(user_path):
        raise InvalidPath(f"The path must be absolute: {user_path}", user_path)
    return user_path


def _resolve(path: str | Path, strict: bool) -> Path:
    try:
        return Path(path).resolve(strict=strict)
    except RuntimeError:  # Python 3.11 reports a symlink loop this way
        raise InvalidPath(f"Symlink loop at {path}", str(path)) from None
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) or exc.errno == 2:
            raise PathNotFound(f"File not found: {path}", str(path)) from None
        if exc.errno == 40:  # ELOOP
            raise InvalidPath(f"Symlink loop at {path}", str(path)) from None
        raise InvalidPath(f"Cannot resolve {path}: {exc.strerror}", str(path)) from None


def is_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether `path` is `root` or lies below it, compared by whole path components (`/music2`
    is not inside `/music`). Resolve both first where links or `..` matter."""
    return Path(path).is_relative_to(root)


def _naming(field: str | None, exc: PathRefused) -> PathRefused:
    """The refusal, naming the input field the path came from (when the caller knows it)."""
    exc.field = exc.field or field
    return exc


def resolve_inside_roots(
    user_path: str,
    roots: Iterable[Library] | None = None,
    *,
    must_exist: bool = True,
    field: str | None = None,
) -> tuple[Path, Library]:
    """The resolved path and the library containing it, or a `PathRefused` subclass naming
    `field` (the request field the path came from), when given.

    `roots` defaults to the enabled libraries. The lexical form is checked against the roots
    before anything touches the disk, so a request cannot learn whether a file outside the
    roots exists; the resolved form (`..` and symlinks followed) is checked again, so a
    symlink inside a root cannot lead outside it.
    """
    try:
        return _resolve_inside_roots(user_path, roots, must_exist)
    except PathRefused as exc:
        raise _naming(field, exc) from None


def _resolve_inside_roots(
    user_path: str, roots: Iterable[Library] | None, must_exist: bool
) -> tuple[Path, Library]:
    text = _check_text(user_path)
    libraries = list(Library.objects.filter(is_enabled=True) if roots is None else roots)
    if not libraries:
        raise OutsideRoots("No library is configured; add one before using paths.", text)
    lexical = Path(os.path.normpath(text))
    resolved_roots = [
        (lib, Path(lib.root_path), _resolve(lib.root_path, False)) for lib in libraries
    ]
    if not any(
        is_inside(lexical, stored) or is_inside(lexical, real) for _, stored, real in resolved_roots
    ):
        raise OutsideRoots(f"Path is outside every library root: {text}", text)
    resolved = _resolve(lexical, must_exist)
    for library, _stored, real in resolved_roots:
        if is_inside(resolved, real):
            return resolved, library
    raise OutsideRoots(f"Path leads outside every library root (through a symlink): {text}", text)


def validate_root(root_path: str, exclude: Library | None = None) -> Path:
    """Check a library root for create/update and return its resolved form; a refusal names
    the library's `root_path` field.

    It must be absolute, not a system folder or Nomarr's data dir (nor lead to one through a
    symlink), exist, be a readable directory, and neither lie inside another library's root nor
    contain one (roots never nest, so every file has one library).
    """
    try:
        return _validate_root(root_path, exclude)
    except PathRefused as exc:
        raise _naming("root_path", exc) from None


def _validate_root(root_path: str, exclude: Library | None) -> Path:
    text = _check_text(root_path)
    resolved = _resolve(text, strict=False)
    _refuse_system_folder(text, resolved)
    if not resolved.exists():
        raise PathNotFound(f"Folder not found: {text}", text)
    if not resolved.is_dir():
        raise InvalidPath(f"Not a folder: {text}", text)
    if not os.access(resolved, os.R_OK | os.X_OK):
        raise InvalidPath(f"Folder is not readable by Nomarr: {text}", text)
    others = Library.objects.all()
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others.only("id", "name", "root_path"):
        other_root = _resolve(other.root_path, strict=False)
        if resolved == other_root:
            raise RootConflict(f"Library '{other.name}' already uses this folder.", text)
        if resolved.is_relative_to(other_root):
            raise RootConflict(
                f"This folder lies inside the root of library '{other.name}' ({other.root_path}).",
                text,
            )
        if other_root.is_relative_to(resolved):
            raise RootConflict(
                f"This folder contains the root of library '{other.name}' ({other.root_path}).",
                text,
            )
    return resolved


def _refuse_system_folder(text: str, resolved: Path) -> None:
    """Refuse a root whose written or resolved form is a system folder or lies in a system
    tree or the data dir (`nomarr_site.system_folders`)."""
    reason = system_folders.refusal(text, resolved)
    if reason is not None:
        raise SystemFolder(reason, text)
