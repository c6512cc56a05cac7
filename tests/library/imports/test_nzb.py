"""Reading NZB files before they are handed over: real NZBs pass (namespaced or not, gzipped
or not); anything that is not well-formed, declares entities, uses another namespace, lacks
files, groups or segments, has non-numeric segment fields or inflates too far is refused
with a sentence saying why."""

from __future__ import annotations

import gzip
import tracemalloc

import pytest

from library.imports.nzb import (
    MAX_DEPTH,
    MAX_NZB_BYTES,
    NzbInvalid,
    NzbSummary,
    check_nzb,
    read_nzb,
)
from tests.library.imports.conftest import NZB, write, write_gz

BARE = b"""<nzb><file subject="x"><groups><group>alt.binaries.x</group></groups>
<segments><segment bytes="10" number="1">a@b</segment></segments></file></nzb>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE nzb [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<nzb><file><groups><group>&lol3;</group></groups>
<segments><segment bytes="1" number="1">a@b</segment></segments></file></nzb>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE nzb [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<nzb><file><groups><group>&secret;</group></groups>
<segments><segment bytes="1" number="1">a@b</segment></segments></file></nzb>"""


def test_a_published_nzb_with_its_doctype_and_namespace_is_read(tmp_path):
    nzb = read_nzb(write(tmp_path / "Some.Release.nzb", NZB))
    assert (nzb.name, nzb.files, nzb.segments, nzb.total_bytes) == (
        "Some.Release.nzb",
        1,
        2,
        1_280_000,
    )
    assert nzb.content == NZB


def test_an_nzb_without_a_namespace_is_read(tmp_path):
    assert read_nzb(write(tmp_path / "bare.nzb", BARE)).segments == 1


def test_a_gzipped_nzb_is_inflated_and_named_without_gz(tmp_path):
    nzb = read_nzb(write_gz(tmp_path / "Some.Release.nzb.gz", NZB))
    assert (nzb.name, nzb.content) == ("Some.Release.nzb", NZB)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"this is not xml", "not well-formed XML"),
        (b"<nzb><file>", "not well-formed XML"),
        (BILLION_LAUGHS, "declares XML entities"),
        (EXTERNAL_ENTITY, "declares XML entities"),
        (
            NZB.replace(b"http://www.newzbin.com/DTD/2003/nzb", b"urn:other"),
            "namespace 'urn:other'",
        ),
        (b"<rss><file/></rss>", "not <nzb>"),
        (b"<nzb></nzb>", "lists no <file>"),
        (
            BARE.replace(b"<groups><group>alt.binaries.x</group></groups>", b""),
            "names no newsgroup",
        ),
        (BARE.replace(b'<segment bytes="10" number="1">a@b</segment>', b""), "has no segments"),
        (BARE.replace(b'bytes="10"', b'bytes="ten"'), "bytes='ten'"),
        (BARE.replace(b'number="1"', b'number="-1"'), "number='-1'"),
        (BARE.replace(b'bytes="10" ', b""), "bytes=''"),
        (BARE.replace(b">a@b<", b"><"), "no message id"),
    ],
)
def test_a_malformed_nzb_is_refused_with_the_reason(tmp_path, content, words):
    with pytest.raises(NzbInvalid) as refused:
        read_nzb(write(tmp_path / "bad.nzb", content))
    assert words in refused.value.message


def test_a_gzip_bomb_is_refused_while_it_inflates(tmp_path):
    bomb = write_gz(tmp_path / "bomb.nzb.gz", b"<nzb>" + b" " * (MAX_NZB_BYTES + 1024))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(NzbInvalid, match="inflates to more than 64 MiB"):
        read_nzb(bomb)


def test_an_nzb_larger_than_the_limit_is_refused_unread(tmp_path):
    big = write(tmp_path / "big.nzb", NZB)
    with pytest.raises(NzbInvalid, match="larger than"):
        read_nzb(big, limit=100)


def test_a_truncated_or_fake_gzip_is_refused(tmp_path):
    whole = gzip.compress(NZB)
    with pytest.raises(NzbInvalid, match="truncated"):
        read_nzb(write(tmp_path / "cut.nzb.gz", whole[: len(whole) // 2]))
    with pytest.raises(NzbInvalid, match="not valid gzip"):
        read_nzb(write(tmp_path / "fake.nzb.gz", NZB))


def large_nzb(files: int, broken: int | None = None) -> bytes:
    """An NZB of `files` files of 25 segments each (about 2 KiB a file); file `broken` names
    no newsgroup."""
    parts = [b'<?xml version="1.0"?>\n<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">']
    for index in range(1, files + 1):
        group = b"" if index == broken else b"<group>alt.binaries.test</group>"
        segments = b"".join(
            b'<segment bytes="768000" number="%d">part%d.file%d.abcdef@news.example.org</segment>'
            % (n, n, index)
            for n in range(1, 26)
        )
        parts.append(b"<file subject='f%d'><groups>%s</groups><segments>%s</segments></file>"
                     % (index, group, segments))  # fmt: skip
    parts.append(b"</nzb>")
    return b"\n".join(parts)


def test_checking_a_large_nzb_holds_a_chunk_of_it_not_the_whole_file(tmp_path):
    path = write(tmp_path / "large.nzb", large_nzb(2500))
    assert path.stat().st_size > 4 * 1024 * 1024
    tracemalloc.start()
    try:
        summary = check_nzb(path)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (summary.files, summary.segments) == (2500, 62_500)
    assert summary.total_bytes == 62_500 * 768_000
    assert peak < 1024 * 1024


def test_a_broken_file_deep_in_a_large_nzb_is_found_while_streaming(tmp_path):
    path = write_gz(tmp_path / "large.nzb.gz", large_nzb(2500, broken=2400))
    with pytest.raises(NzbInvalid, match="File 2400 of the NZB names no newsgroup"):
        check_nzb(path)


def test_checking_and_reading_an_nzb_agree(tmp_path):
    path = write_gz(tmp_path / "Some.Release.nzb.gz", NZB)
    read = read_nzb(path)
    assert check_nzb(path) == NzbSummary(read.name, read.files, read.segments, read.total_bytes)


@pytest.mark.parametrize("name", ["deep.nzb", "deep.nzb.gz"])
def test_deeply_nested_xml_is_refused_at_the_first_level_too_deep(tmp_path, name):
    # 60 KiB of gzip inflate to millions of nested elements: built as a tree they held the
    # web process for half a minute and a gigabyte; refused at the limit they cost nothing.
    levels = 200_000
    content = (
        b'<nzb><file subject="x"><groups><group>alt.binaries.x</group></groups>'
        + b"<a>" * levels
        + b"</a>" * levels
        + b'<segments><segment bytes="1" number="1">a@b</segment></segments></file></nzb>'
    )
    path = (write_gz if name.endswith(".gz") else write)(tmp_path / name, content)
    tracemalloc.start()
    try:
        with pytest.raises(NzbInvalid, match=f"nested more than {MAX_DEPTH} elements deep"):
            check_nzb(path)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024
    with pytest.raises(NzbInvalid, match="nested more than"):
        read_nzb(path)


def test_nesting_up_to_the_limit_is_read(tmp_path):
    inner = MAX_DEPTH - 2  # below <nzb> and <file>
    content = (
        b'<nzb><file subject="x"><groups><group>alt.binaries.x</group></groups>'
        + b"<a>" * inner
        + b"</a>" * inner
        + b'<segments><segment bytes="1" number="1">a@b</segment></segments></file></nzb>'
    )
    assert read_nzb(write(tmp_path / "ok.nzb", content)).segments == 1
