"""The HTTP(S) downloader against a real loopback file host: resume after a cut, restart when
the file changed, retryable and final errors, verification, a full disk, stop and resume, and
names or redirects that would leave the target folder."""

from __future__ import annotations

import email.utils
import errno
import fcntl
import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from library.downloads.fetch import DownloadError, DownloadStopped, download
from tests.library.downloads.conftest import Recorder, blob

FINAL = "Show - S01E02 - Title.mkv"
PART = ".nomarr-0f1e2d.part"
SIDECAR = PART + ".json"
SIZE = 300_000


def fetch(url: str, folder: Path, recorder: Recorder | None = None, **options):
    recorder = recorder or Recorder()
    return download(
        url,
        folder,
        options.pop("final_name", FINAL),
        options.pop("part_name", PART),
        on_progress=recorder,
        should_stop=recorder.should_stop,
        **options,
    )


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_a_download_lands_under_its_final_name_with_identical_bytes(
    download_server, tmp_path, recorder
):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data)

    path = fetch(download_server.url("/ep.mkv"), tmp_path, recorder)

    assert path == tmp_path / FINAL
    assert path.read_bytes() == data
    assert names(tmp_path) == {FINAL}  # no part file, no sidecar
    sent = download_server.requests[0]["headers"]
    assert "Range" not in sent and sent["Accept-Encoding"] == "identity"


def test_progress_rises_to_100_percent_and_reports_sizes_in_mb(download_server, tmp_path):
    data = blob(3 * 1024 * 1024)
    blob_ = download_server.add("/ep.mkv", data)
    blob_.stalls.append((1024 * 1024, 0.6))  # a pause, so more than one callback is due
    recorder = Recorder()

    fetch(download_server.url("/ep.mkv"), tmp_path, recorder)

    percents = [p.as_event()["percent"] for p in recorder.calls]
    assert len(recorder.calls) >= 2
    assert percents == sorted(percents)
    final = recorder.calls[-1].as_event()
    assert final["percent"] == 100.0
    assert final["downloaded_mb"] == final["total_mb"] == 3.0
    assert final["eta_seconds"] == 0
    assert all(p.total == len(data) for p in recorder.calls)
    assert all(0 <= (p.as_event()["percent"] or 0) <= 100 for p in recorder.calls)


def test_progress_callbacks_are_throttled_to_a_few_a_second(download_server, tmp_path):
    data = blob(2 * 1024 * 1024)
    download_server.add("/ep.mkv", data)
    recorder = Recorder()

    started = time.monotonic()
    fetch(download_server.url("/ep.mkv"), tmp_path, recorder)
    elapsed = time.monotonic() - started

    # 32 chunks of 64 KiB arrived; only the first, about four a second, and the final one fire.
    assert len(recorder.calls) <= 2 + 4 * elapsed + 1


def test_a_download_cut_in_the_middle_resumes_with_a_range_and_ends_with_identical_bytes(
    download_server, tmp_path
):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data)
    served.cuts.append(100_000)
    url = download_server.url("/ep.mkv")

    with pytest.raises(DownloadError) as cut:
        fetch(url, tmp_path)
    assert cut.value.retryable
    assert "resume" in cut.value.message
    assert (tmp_path / PART).read_bytes() == data[:100_000]
    assert json.loads((tmp_path / SIDECAR).read_text())["etag"] == served.etag
    assert not (tmp_path / FINAL).exists()

    path = fetch(url, tmp_path)  # a new call, as another worker process would make it

    assert path.read_bytes() == data
    resumed = download_server.requests[-1]["headers"]
    assert resumed["Range"] == "bytes=100000-"
    assert resumed["If-Range"] == served.etag
    assert names(tmp_path) == {FINAL}


def test_a_file_replaced_on_the_server_restarts_from_zero(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(SIZE, seed=1)).cuts.append(120_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)
    new = blob(SIZE - 5000, seed=2)
    download_server.replace("/ep.mkv", new)  # new ETag: If-Range fails, the server sends 200

    path = fetch(url, tmp_path)

    assert download_server.ranges("/ep.mkv")[-1] == "bytes=120000-"
    assert path.read_bytes() == new


def test_a_206_with_a_changed_etag_is_not_joined_to_the_old_bytes(download_server, tmp_path):
    served = download_server.add("/ep.mkv", blob(SIZE, seed=1))
    served.cuts.append(50_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)
    new = blob(SIZE, seed=3)
    download_server.replace("/ep.mkv", new).honour_if_range = False  # a server ignoring If-Range

    path = fetch(url, tmp_path)

    assert path.read_bytes() == new
    assert download_server.ranges("/ep.mkv") == ["", "bytes=50000-", ""]


def test_a_server_that_ignores_ranges_is_downloaded_again_from_the_start(download_server, tmp_path):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data)
    served.cuts.append(70_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)
    served.ignore_range = True

    path = fetch(url, tmp_path)

    assert download_server.ranges("/ep.mkv")[-1] == "bytes=70000-"
    assert path.read_bytes() == data


def test_without_an_etag_the_resume_is_guarded_by_last_modified(download_server, tmp_path):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data, etag=None)
    served.cuts.append(90_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)

    assert fetch(url, tmp_path).read_bytes() == data
    headers = download_server.requests[-1]["headers"]
    assert headers["Range"] == "bytes=90000-"
    assert headers["If-Range"] == served.last_modified


def test_without_any_validator_an_interrupted_download_starts_over(download_server, tmp_path):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data, etag=None, last_modified=None)
    served.cuts.append(90_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)

    assert fetch(url, tmp_path).read_bytes() == data
    assert download_server.ranges("/ep.mkv") == ["", ""]  # nothing could prove the file same


def test_a_complete_part_file_answered_with_416_is_verified_and_placed(download_server, tmp_path):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data)
    url = download_server.url("/ep.mkv")
    # A worker died after the last byte but before the rename: the part file is whole.
    (tmp_path / PART).write_bytes(data)
    (tmp_path / SIDECAR).write_text(
        json.dumps({"version": 1, "url": url, "etag": served.etag, "last_modified": None,
                    "total": SIZE, "sha256": None})
    )  # fmt: skip
    recorder = Recorder()

    path = fetch(url, tmp_path, recorder, expected_sha256=hashlib.sha256(data).hexdigest())

    assert path.read_bytes() == data
    assert download_server.ranges("/ep.mkv") == [f"bytes={SIZE}-"]
    assert recorder.calls[-1].as_event()["percent"] == 100.0
    assert names(tmp_path) == {FINAL}


def test_a_part_file_of_another_url_is_not_resumed(download_server, tmp_path):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data)
    (tmp_path / PART).write_bytes(b"x" * 1000)
    (tmp_path / SIDECAR).write_text(json.dumps({"version": 1, "url": "http://elsewhere/a.mkv",
                                                "etag": '"a"', "total": 5000}))  # fmt: skip

    assert fetch(download_server.url("/ep.mkv"), tmp_path).read_bytes() == data
    assert download_server.ranges("/ep.mkv") == [""]


def test_server_errors_are_retryable_until_the_server_recovers(download_server, tmp_path):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data, statuses=[503, 502, 429])
    url = download_server.url("/ep.mkv")

    for status in (503, 502, 429):
        with pytest.raises(DownloadError) as failed:
            fetch(url, tmp_path)
        assert failed.value.retryable
        assert f"HTTP {status}" in failed.value.message
    assert failed.value.retry_after == 1.0

    assert fetch(url, tmp_path).read_bytes() == data
    assert names(tmp_path) == {FINAL}


@pytest.mark.parametrize(
    ("status", "words"),
    [(404, "was not found"), (403, "refused access"), (410, "is gone"), (400, "HTTP 400")],
)
def test_client_errors_are_final_with_a_clear_message(download_server, tmp_path, status, words):
    download_server.add("/ep.mkv", blob(1000), statuses=[status])

    with pytest.raises(DownloadError) as failed:
        fetch(download_server.url("/ep.mkv?token=secret"), tmp_path)

    assert not failed.value.retryable
    assert words in failed.value.message
    assert "/ep.mkv" in failed.value.message and "secret" not in failed.value.message
    assert names(tmp_path) == set()


def test_a_server_that_does_not_answer_in_time_is_retryable(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(1000), delay=1.5)

    with pytest.raises(DownloadError) as failed:
        fetch(download_server.url("/ep.mkv"), tmp_path, timeout=0.3)

    assert failed.value.retryable
    assert "did not answer in time" in failed.value.message


def test_a_stall_mid_body_is_retryable_and_resumes_from_what_arrived(download_server, tmp_path):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data).stalls.append((150_000, 1.5))
    url = download_server.url("/ep.mkv")

    with pytest.raises(DownloadError) as failed:
        fetch(url, tmp_path, timeout=0.3)
    assert failed.value.retryable
    assert (tmp_path / PART).stat().st_size == 150_000

    assert fetch(url, tmp_path).read_bytes() == data
    assert download_server.ranges("/ep.mkv")[-1] == "bytes=150000-"


def test_an_unreachable_host_is_retryable(tmp_path):
    with pytest.raises(DownloadError) as failed:
        fetch("http://127.0.0.1:9/ep.mkv", tmp_path, timeout=2)  # the discard port: refused

    assert failed.value.retryable
    assert "Cannot reach 127.0.0.1" in failed.value.message


def test_a_size_other_than_expected_is_refused_before_downloading(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(SIZE))

    with pytest.raises(DownloadError) as failed:
        fetch(download_server.url("/ep.mkv"), tmp_path, expected_size=SIZE + 1)

    assert not failed.value.retryable
    assert str(SIZE) in failed.value.message and str(SIZE + 1) in failed.value.message
    assert names(tmp_path) == set()


def test_a_size_unknown_until_the_end_is_checked_against_the_expected_size(
    download_server, tmp_path
):
    download_server.add("/ep.mkv", blob(SIZE), chunked=True)

    with pytest.raises(DownloadError) as failed:
        fetch(download_server.url("/ep.mkv"), tmp_path, expected_size=SIZE - 1)

    assert f"is {SIZE} bytes" in failed.value.message
    assert names(tmp_path) == set()


def test_a_chunked_download_of_unknown_size_completes(download_server, tmp_path, recorder):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data, chunked=True)

    assert fetch(download_server.url("/ep.mkv"), tmp_path, recorder).read_bytes() == data
    assert recorder.calls[0].total is None and recorder.calls[0].as_event()["percent"] is None
    assert recorder.calls[-1].as_event()["percent"] == 100.0


def test_a_wrong_expected_checksum_discards_the_file_and_names_both_values(
    download_server, tmp_path
):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data)
    wrong = hashlib.sha256(b"something else").hexdigest()

    with pytest.raises(DownloadError) as failed:
        fetch(download_server.url("/ep.mkv"), tmp_path, expected_sha256=wrong)

    assert not failed.value.retryable
    assert wrong in failed.value.message
    assert hashlib.sha256(data).hexdigest() in failed.value.message
    assert names(tmp_path) == set()


def test_a_malformed_expected_checksum_is_refused(tmp_path):
    with pytest.raises(DownloadError, match="not a SHA-256"):
        fetch("http://127.0.0.1:9/ep.mkv", tmp_path, expected_sha256="abc")


@pytest.mark.parametrize("header", ["Digest", "Repr-Digest", "X-Checksum-Sha256"])
def test_a_checksum_header_from_the_source_is_verified(download_server, tmp_path, header):
    data = blob(SIZE)
    download_server.add("/good.mkv", data, checksum_header=header)
    download_server.add("/bad.mkv", data, checksum_header=header, checksum_of=b"other bytes")

    assert fetch(download_server.url("/good.mkv"), tmp_path).read_bytes() == data
    with pytest.raises(DownloadError) as failed:
        fetch(download_server.url("/bad.mkv"), tmp_path, final_name="Other.mkv")

    assert hashlib.sha256(b"other bytes").hexdigest() in failed.value.message
    assert names(tmp_path) == {FINAL}


def test_a_checksum_announced_before_a_cut_is_still_checked_after_the_resume(
    download_server, tmp_path
):
    served = download_server.add("/ep.mkv", blob(SIZE), checksum_header="Digest")
    served.checksum_of = b"not these bytes"
    served.cuts.append(10_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)
    served.checksum_header = None  # the 206 does not repeat it

    with pytest.raises(DownloadError, match="SHA-256"):
        fetch(url, tmp_path)
    assert names(tmp_path) == set()


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


def test_stop_keeps_the_part_file_and_a_later_call_resumes_it(download_server, tmp_path):
    data = blob(2 * 1024 * 1024)
    download_server.add("/ep.mkv", data).stalls.append((512 * 1024, 0.4))
    url = download_server.url("/ep.mkv")
    recorder = Recorder(stop_after=2)  # stop after the second progress callback

    with pytest.raises(DownloadStopped):
        fetch(url, tmp_path, recorder)

    kept = (tmp_path / PART).stat().st_size
    assert 0 < kept < len(data)
    assert (tmp_path / SIDECAR).exists() and not (tmp_path / FINAL).exists()
    assert fetch(url, tmp_path).read_bytes() == data
    assert download_server.ranges("/ep.mkv")[-1] == f"bytes={kept}-"


def test_a_stop_asked_for_before_the_start_sends_no_request(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(1000))

    with pytest.raises(DownloadStopped):
        fetch(download_server.url("/ep.mkv"), tmp_path, Recorder(stop_after=0))

    assert download_server.requests == []


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


def test_a_206_that_starts_elsewhere_than_asked_is_not_joined(download_server, tmp_path):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data)
    served.cuts.append(40_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)
    served.misplaced_range = True

    assert fetch(url, tmp_path).read_bytes() == data
    assert download_server.ranges("/ep.mkv") == ["", "bytes=40000-", ""]


def test_a_compressed_answer_is_refused_rather_than_saved(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(1000), headers={"Content-Encoding": "gzip"})

    with pytest.raises(DownloadError, match="compressed"):
        fetch(download_server.url("/ep.mkv"), tmp_path)
    assert names(tmp_path) == set()


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


def test_a_weak_etag_is_not_used_for_if_range_last_modified_is(download_server, tmp_path):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data)
    served.etag = 'W/"weak-1"'
    served.cuts.append(30_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)

    assert fetch(url, tmp_path).read_bytes() == data
    assert download_server.requests[-1]["headers"]["If-Range"] == served.last_modified


def test_a_retry_after_date_becomes_seconds(download_server, tmp_path):
    served = download_server.add("/ep.mkv", blob(100), statuses=[429, 503, 503])
    served.retry_after = email.utils.formatdate(time.time() + 120, usegmt=True)
    url = download_server.url("/ep.mkv")

    with pytest.raises(DownloadError) as failed:
        fetch(url, tmp_path)
    assert 100 < failed.value.retry_after <= 120
    served.retry_after = "30"
    with pytest.raises(DownloadError) as failed:
        fetch(url, tmp_path)
    assert failed.value.retry_after == 30.0
    served.retry_after = "soon"
    with pytest.raises(DownloadError) as failed:
        fetch(url, tmp_path)
    assert failed.value.retry_after is None


def test_a_server_capping_each_range_is_asked_for_the_next_part_until_complete(
    download_server, tmp_path
):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data)
    served.cuts.append(10_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)
    served.max_range = 100_000

    assert fetch(url, tmp_path).read_bytes() == data  # one call, several answers
    assert download_server.ranges("/ep.mkv") == [
        "", "bytes=10000-", "bytes=110000-", "bytes=210000-"
    ]  # fmt: skip


def test_the_episode_is_readable_by_media_servers_whatever_the_umask(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(1000))
    previous = os.umask(0o077)
    try:
        path = fetch(download_server.url("/ep.mkv"), tmp_path)
    finally:
        os.umask(previous)

    assert path.stat().st_mode & 0o777 == 0o644
