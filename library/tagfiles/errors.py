"""Exceptions for tag reading and writing; each carries the path and a message meant for a
person (it ends up as a failed job's error)."""

from __future__ import annotations

import os


class TagFileError(Exception):
    """Base class: `str(error)` is the human message, `error.path` the file."""

    def __init__(self, path: str | os.PathLike, message: str) -> None:
        self.path = os.fspath(path)
        super().__init__(message)


class FileVanished(TagFileError):
    """The file no longer exists (moved or deleted since it was queued)."""


class FileNotReadable(TagFileError):
    """The file exists but cannot be opened (permissions, I/O error)."""


class FileNotWritable(TagFileError):
    """The file is read-only, or its folder does not allow the temporary copy."""


class UnsupportedFormat(TagFileError):
    """Not one of MP3, FLAC, Ogg Vorbis, Opus or M4A (read by suffix, as the tagger does)."""


class EmptyFile(TagFileError):
    """A zero-byte file."""


class NotAudio(TagFileError):
    """The content is not the audio format its name claims (a text file named .flac ...)."""


class CorruptAudio(TagFileError):
    """The container structure is broken."""


class TruncatedAudio(CorruptAudio):
    """The file ends before its audio stream does."""


class FileChanged(TagFileError):
    """Size or modification time differ from what was analysed; re-analyse before writing."""


class VerificationFailed(TagFileError):
    """The written copy did not read back as expected or its audio differs; nothing replaced."""


class SymlinkRefused(TagFileError):
    """The path is a symbolic link (perhaps swapped in since it was queued); never followed."""


class OutsideLibrary(TagFileError):
    """The path now resolves outside every enabled library root (a folder swapped for a link)."""
