"""Which files are audio, and per-format access to our namespace tags with mutagen: ID3v2.4
`TXXX` frames (MP3), Vorbis comments (FLAC, Ogg Vorbis, Opus) and freeform
`----:com.apple.iTunes:` atoms (M4A). Reading also understands the tags of the formats the
scanner lists but Nomarr never writes (APEv2, ASF, ID3 in WAV/AIFF)."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import mutagen
from mutagen._vorbis import VCommentDict
from mutagen.apev2 import APEv2
from mutagen.asf import ASFTags
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TXXX
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm, MP4Tags
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from library.tagfiles.errors import EmptyFile, FileVanished, NotAudio, UnsupportedFormat

SUFFIXES = {
    ".mp3": "mp3",
    ".flac": "flac",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "opus",
    ".m4a": "m4a",
    ".m4b": "m4a",
    ".mp4": "m4a",
}
# Scanned and listed like the formats above, but never tagged: the tagger reads only SUFFIXES.
READ_ONLY_SUFFIXES = frozenset(
    {
        ".mp2", ".spx", ".aac", ".wav", ".aif", ".aiff", ".aifc", ".wma", ".asf", ".wv", ".ape",
        ".mpc", ".dsf", ".tta",
    }
)  # fmt: skip
AUDIO_EXTENSIONS = frozenset(SUFFIXES) | READ_ONLY_SUFFIXES
FORMAT_NAMES = {"mp3": "MP3", "flac": "FLAC", "ogg": "Ogg Vorbis", "opus": "Opus", "m4a": "M4A"}
FREEFORM = "----:com.apple.iTunes:"
Tags = dict[str, list[str]]


def is_audio_name(name: str) -> bool:
    """True for a file name the scanner treats as audio (by suffix only, nothing is opened)."""
    return os.path.splitext(name)[1].lower() in AUDIO_EXTENSIONS


def value_texts(values: Any) -> list[str]:
    """The text of each value of one tag, whatever the tag format keeps in it (str, the bytes
    of an MP4 freeform atom, an ASF attribute, an APEv2 text value), unstripped."""
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        values = [values]
    return [_value_text(value) for value in values]


def _value_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "value") and not isinstance(value, str):  # ASF attributes
        return _value_text(value.value)
    return str(value)


def detect_format(path: str | os.PathLike) -> str:
    """The format key for a path, from its suffix; an Ogg file holding Opus counts as opus."""
    suffix = Path(path).suffix.lower()
    fmt = SUFFIXES.get(suffix)
    if fmt is None:
        raise UnsupportedFormat(path, f"{os.fspath(path)}: '{suffix}' files are not supported")
    if fmt == "ogg":
        try:
            if is_opus(path):
                return "opus"
        except FileNotFoundError:
            raise FileVanished(path, f"{os.fspath(path)} no longer exists") from None
    return fmt


def is_opus(path: str | os.PathLike) -> bool:
    """Whether the file is Ogg Opus, by its content (an Ogg page whose first packet is the
    `OpusHead` header), whatever its suffix says."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    return head.startswith(b"OggS") and b"OpusHead" in head


def in_namespace(key: str, namespace: str) -> bool:
    """Whether a tag key is one of ours: `<namespace>:…`, in any case (players and taggers
    disagree on the case of Vorbis comment names)."""
    return key.casefold().startswith(f"{namespace}:".casefold())


def load(path: str | os.PathLike, fmt: str) -> Any:
    """The mutagen object for `path`; mutagen's own errors become NotAudio/EmptyFile."""
    path = os.fspath(path)
    opener = {"mp3": MP3, "flac": FLAC, "ogg": OggVorbis, "opus": OggOpus, "m4a": MP4}[fmt]
    try:
        if os.path.getsize(path) == 0:
            raise EmptyFile(path, f"{path} is empty (0 bytes)")
        audio = opener(path)
    except FileNotFoundError:
        raise FileVanished(path, f"{path} no longer exists") from None
    except (mutagen.MutagenError, ValueError, EOFError, struct.error) as exc:
        raise NotAudio(path, f"{path} is not a readable {FORMAT_NAMES[fmt]} file: {exc}") from None
    if fmt == "mp3" and audio.tags is None:
        audio.add_tags()
    return audio


def read_namespace(audio: Any, fmt: str, namespace: str) -> Tags:
    """Our `<ns>:*` tags, keyed as stored, each a list of strings. Chosen by the kind of tags
    rather than `fmt`, so that read-only formats (ID3 in WAV, APEv2, ASF) work too."""
    found: Tags = {}
    tags = audio.tags
    if tags is None:
        return found
    if isinstance(tags, ID3):
        for frame in tags.getall("TXXX"):
            if in_namespace(frame.desc, namespace):
                found[frame.desc] = [str(text) for text in frame.text]
    elif isinstance(tags, MP4Tags):
        for key, values in tags.items():
            if key.startswith(FREEFORM) and in_namespace(key[len(FREEFORM) :], namespace):
                found[key[len(FREEFORM) :]] = [bytes(v).decode("utf-8", "replace") for v in values]
    elif isinstance(tags, VCommentDict):
        for key, value in tags:
            if in_namespace(key, namespace):
                found.setdefault(key, []).append(value)
    elif isinstance(tags, APEv2 | ASFTags):
        for key in tags.keys():
            if in_namespace(str(key), namespace):
                found[str(key)] = value_texts(tags[key])
    return found


def replace_namespace(audio: Any, fmt: str, namespace: str, tags: Tags) -> None:
    """Remove every `<ns>:*` tag, then add `tags`; nothing else in the file is touched."""
    if audio.tags is None:
        audio.add_tags()
    stale = read_namespace(audio, fmt, namespace)
    for key in stale:
        if fmt == "mp3":
            audio.tags.delall(f"TXXX:{key}")
        elif fmt == "m4a":
            del audio.tags[FREEFORM + key]
        elif key in audio.tags:
            del audio.tags[key]
    for key, values in tags.items():
        if fmt == "mp3":
            audio.tags.add(TXXX(encoding=3, desc=key, text=list(values)))
        elif fmt == "m4a":
            audio.tags[FREEFORM + key] = [
                MP4FreeForm(v.encode("utf-8"), dataformat=AtomDataType.UTF8) for v in values
            ]
        else:
            audio.tags[key] = list(values)


def save(audio: Any, fmt: str) -> None:
    """Write the tags back to the file mutagen opened; MP3 always as ID3v2.4."""
    if fmt == "mp3":
        audio.tags.save(audio.filename, v2_version=4)
    else:
        audio.save()
