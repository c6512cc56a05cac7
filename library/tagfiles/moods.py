"""The file's standard mood field, which media servers show without custom configuration:
ID3 `TMOO` (MP3), the Vorbis comment `MOOD` (FLAC, Ogg Vorbis, Opus) and the freeform atom
`----:com.apple.iTunes:MOOD` (M4A).

Nomarr shares that field with its owner: it owns only the words its mood heads can give
(`StandardMoods.owned`); any other value there was put by a person or another tool and stays,
ahead of Nomarr's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mutagen.id3 import TMOO
from mutagen.mp4 import AtomDataType, MP4FreeForm

from library.tagfiles.formats import FREEFORM

MP4_MOOD = FREEFORM + "MOOD"
VORBIS_MOOD = "MOOD"


@dataclass(frozen=True)
class StandardMoods:
    """Nomarr's moods for the field, and every word Nomarr may have written there before."""

    values: tuple[str, ...]
    owned: frozenset[str]  # casefolded

    @classmethod
    def of(cls, values: Iterable[str], owned: Iterable[str]) -> StandardMoods:
        values = tuple(values)
        return cls(values, frozenset(word.casefold() for word in (*owned, *values)))

    def merged(self, present: Sequence[str]) -> list[str]:
        """The field's new values: what is there and not Nomarr's, then Nomarr's moods."""
        kept = [value for value in present if value.casefold() not in self.owned]
        return kept + [value for value in self.values if value not in kept]


def read_moods(audio: Any, fmt: str) -> list[str]:
    """The values of the standard mood field (empty when the file has none)."""
    tags = audio.tags
    if tags is None:
        return []
    if fmt == "mp3":
        return [str(text) for frame in tags.getall("TMOO") for text in frame.text]
    if fmt == "m4a":
        return [bytes(v).decode("utf-8", "replace") for v in tags.get(MP4_MOOD, [])]
    return [value for key, value in tags if key.casefold() == VORBIS_MOOD.casefold()]


def replace_moods(audio: Any, fmt: str, moods: Sequence[str]) -> None:
    """Set the standard mood field to `moods` (removing it when empty)."""
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    if fmt == "mp3":
        tags.delall("TMOO")
        if moods:
            tags.add(TMOO(encoding=3, text=list(moods)))
    elif fmt == "m4a":
        tags.pop(MP4_MOOD, None)
        if moods:
            tags[MP4_MOOD] = [
                MP4FreeForm(m.encode("utf-8"), dataformat=AtomDataType.UTF8) for m in moods
            ]
    else:
        for key in {key for key, _value in tags if key.casefold() == VORBIS_MOOD.casefold()}:
            del tags[key]
        if moods:
            tags[VORBIS_MOOD] = list(moods)
