"""From audio file to tags in the file: real Essentia inference on every format, derived tags
written safely and read back with mutagen, the audio payload untouched."""

from __future__ import annotations

import shutil

import mutagen
import pytest

from library.tagfiles.formats import detect_format
from library.tagfiles.payload import audio_payload_hash
from library.tagfiles.reader import read_tags
from library.tagfiles.writer import FileStamp, write_tags
from library.tagging.cache import AlgorithmCache
from library.tagging.model_suite import discover
from library.tagging.pipeline import TaggingPipeline
from library.tagging.tag_values import derive_tags
from tests.support.audio import FORMATS


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_track_is_analysed_tagged_and_read_back(models_dir, tracks, tmp_path, fmt):
    path = tmp_path / tracks[fmt].name
    shutil.copyfile(tracks[fmt], path)
    analysed = FileStamp.of(path)
    payload = audio_payload_hash(path, detect_format(path))
    suite = discover(models_dir)
    analysis = TaggingPipeline(suite, cache=AlgorithmCache()).run(str(path))

    tags = derive_tags(analysis.heads, analysis.suite_version, "full")
    write_tags(path, tags, expected=analysed)

    assert read_tags(path).namespace == tags
    assert "nom:version" in tags and len(tags) >= len(suite.heads) + 1
    assert audio_payload_hash(path, detect_format(path)) == payload
    assert mutagen.File(path) is not None
