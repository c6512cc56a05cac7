"""What the HTTP(S) downloader never does: leave a partial file on a full disk, write outside
the target folder (names, symlinks, redirects to file://), overwrite a different file, or
write into a part file another worker holds."""

from __future__ import annotations

import errno
import fcntl
import os

import pytest

from library.downloads.fetch import DownloadError
from library.downloads.partfile import remove_partial
from tests.library.downloads.conftest import (
    FINAL,
    PART,
    SIDECAR,
    SIZE,
    blob,
    fetch,
    names,
)


def test_a_full_disk_leaves_no_partial_file_and_no_final_file(
    download_server, tmp_path, monkeypatch
):
    """No small file system can be mounted here, so the disk filling up is simulated at the OS
    boundary: `os.write` on the part file fails with ENOSPC once 100 000 bytes are in it, as
    the kernel's write(2) does on a full disk; every other write goes through untouched."""
    download_server.add("/ep.mkv", blob(SIZE))
    real_write = os.write
    written = {"bytes": 0}

    def write(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(PART):
            if written["bytes"] + len(data) > 100_000:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written["bytes"] += len(data)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)

    with pytest.raises(DownloadError) as failed:
        fetch(download_server.url("/ep.mkv"), tmp_path)

    assert not failed.value.retryable
    assert "disk" in failed.value.message and "full" in failed.value.message
    assert names(tmp_path) == set()


@pytest.mark.parametrize(
    ("final_name", "part_name"),
    [("../Show.mkv", PART), ("a/b.mkv", PART), (FINAL, "../.part"), ("", PART),
     ("..", PART), (FINAL, "x\x00.part"), (FINAL, "."), (FINAL, FINAL), ("a\\b.mkv", PART)],
)  # fmt: skip
def test_names_that_are_not_plain_file_names_are_refused(
    download_server, tmp_path, final_name, part_name
):
    download_server.add("/ep.mkv", blob(1000))
    folder = tmp_path / "show"
    folder.mkdir()

    with pytest.raises(DownloadError) as failed:
        fetch(download_server.url("/ep.mkv"), folder, final_name=final_name, part_name=part_name)

    assert not failed.value.retryable
    assert download_server.requests == []
    assert names(tmp_path) == {"show"} and names(folder) == set()


def test_a_missing_target_folder_is_refused(download_server, tmp_path):
    with pytest.raises(DownloadError, match="does not exist"):
        fetch(download_server.url("/ep.mkv"), tmp_path / "gone")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/ep.mkv", "data:,hello", "http:///ep.mkv"]
)
def test_urls_other_than_http_are_refused(tmp_path, url):
    with pytest.raises(DownloadError, match="Only http and https"):
        fetch(url, tmp_path)


def test_redirects_are_followed(download_server, tmp_path):
    data = blob(SIZE)
    download_server.add("/files/ep.mkv", data)
    download_server.redirect("/go", "/files/ep.mkv", status=301)
    download_server.redirect("/short", download_server.url("/go"))

    assert fetch(download_server.url("/short"), tmp_path).read_bytes() == data


def test_a_redirect_to_a_local_file_is_refused(download_server, tmp_path):
    download_server.redirect("/ep.mkv", "file:///etc/passwd")

    with pytest.raises(DownloadError, match="only http and https") as failed:
        fetch(download_server.url("/ep.mkv"), tmp_path)

    assert "redirects to 'file:///etc/passwd'" in failed.value.message
    assert not failed.value.retryable
    assert names(tmp_path) == set()


def test_more_than_five_redirects_are_refused(download_server, tmp_path):
    for n in range(7):
        download_server.redirect(f"/r{n}", f"/r{n + 1}")
    download_server.add("/r7", blob(100))

    with pytest.raises(DownloadError, match="redirects more than 5 times"):
        fetch(download_server.url("/r0"), tmp_path)
    assert len(download_server.requests) == 6


def test_an_existing_different_file_is_never_overwritten(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(SIZE))
    (tmp_path / FINAL).write_bytes(b"the user's own file")

    with pytest.raises(DownloadError, match="already exists") as failed:
        fetch(download_server.url("/ep.mkv"), tmp_path)

    assert not failed.value.retryable
    assert (tmp_path / FINAL).read_bytes() == b"the user's own file"


def test_downloading_again_onto_the_same_file_keeps_it(download_server, tmp_path):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data)
    url = download_server.url("/ep.mkv")
    fetch(url, tmp_path)

    assert fetch(url, tmp_path).read_bytes() == data
    assert names(tmp_path) == {FINAL}


def test_a_symlink_planted_at_the_part_name_is_not_followed(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(SIZE))
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    folder = tmp_path / "show"
    folder.mkdir()
    (folder / PART).symlink_to(outside)

    with pytest.raises(DownloadError):
        fetch(download_server.url("/ep.mkv"), folder)

    assert outside.read_text() == "keep me"
    assert not (folder / FINAL).exists()


@pytest.mark.parametrize("url", ["http://[::1/ep.mkv", "http://exa mple.org/ep.mkv"])
def test_a_malformed_url_is_refused(tmp_path, url):
    with pytest.raises(DownloadError) as failed:
        fetch(url, tmp_path)
    assert not failed.value.retryable


def test_a_part_file_another_worker_is_writing_is_left_alone(download_server, tmp_path):
    """A job delivered twice: the second worker finds the part file locked and backs off."""
    data = blob(SIZE)
    download_server.add("/ep.mkv", data)
    (tmp_path / PART).write_bytes(data[:1000])
    with open(tmp_path / PART, "rb+") as other_worker:
        fcntl.flock(other_worker.fileno(), fcntl.LOCK_EX)

        with pytest.raises(DownloadError, match="Another worker") as failed:
            fetch(download_server.url("/ep.mkv"), tmp_path)

    assert failed.value.retryable
    assert (tmp_path / PART).read_bytes() == data[:1000]
    assert fetch(download_server.url("/ep.mkv"), tmp_path).read_bytes() == data


def test_the_episode_is_readable_by_media_servers_whatever_the_umask(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(1000))
    previous = os.umask(0o077)
    try:
        path = fetch(download_server.url("/ep.mkv"), tmp_path)
    finally:
        os.umask(previous)

    assert path.stat().st_mode & 0o777 == 0o644


def test_removing_a_partial_download_deletes_the_part_and_its_sidecar(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(SIZE)).cuts.append(20_000)
    with pytest.raises(DownloadError):
        fetch(download_server.url("/ep.mkv"), tmp_path)
    assert names(tmp_path) == {PART, SIDECAR}

    assert remove_partial(tmp_path, PART) is True
    assert names(tmp_path) == set()
    assert remove_partial(tmp_path, PART) is True  # nothing left: nothing to do


def test_a_partial_download_a_worker_is_writing_is_not_removed(tmp_path):
    (tmp_path / PART).write_bytes(b"x" * 100)
    with open(tmp_path / PART, "rb+") as worker:
        fcntl.flock(worker.fileno(), fcntl.LOCK_EX)
        assert remove_partial(tmp_path, PART) is False
    assert names(tmp_path) == {PART}


def test_removing_a_partial_download_refuses_a_path(tmp_path):
    with pytest.raises(DownloadError, match="plain file name"):
        remove_partial(tmp_path, "../" + PART)
