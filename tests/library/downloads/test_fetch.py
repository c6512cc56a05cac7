"""The HTTP(S) downloader against a real loopback file host: a whole download, its progress,
resuming after a cut, starting over when the file changed or the server will not continue,
and stop then resume."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from library.downloads.fetch import DownloadError, DownloadStopped
from tests.library.downloads.conftest import (
    FINAL,
    PART,
    SIDECAR,
    SIZE,
    Recorder,
    blob,
    fetch,
    names,
)


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


def test_a_chunked_download_of_unknown_size_completes(download_server, tmp_path, recorder):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data, chunked=True)

    assert fetch(download_server.url("/ep.mkv"), tmp_path, recorder).read_bytes() == data
    assert recorder.calls[0].total is None and recorder.calls[0].as_event()["percent"] is None
    assert recorder.calls[-1].as_event()["percent"] == 100.0


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


@pytest.mark.parametrize(
    "sidecar",
    ["not json", "[]", '{"version": 99}', '{"version": 1, "url": "%s", "total": true}',
     '{"version": 1, "url": "%s", "etag": 5}'],
)  # fmt: skip
def test_an_unreadable_sidecar_means_starting_over(download_server, tmp_path, sidecar):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data)
    url = download_server.url("/ep.mkv")
    (tmp_path / PART).write_bytes(b"garbage" * 1000)
    (tmp_path / SIDECAR).write_text(sidecar.replace("%s", url))

    assert fetch(url, tmp_path).read_bytes() == data
    assert download_server.ranges("/ep.mkv") == [""]
