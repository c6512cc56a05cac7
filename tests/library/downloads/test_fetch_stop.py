"""A stop asked for while the server stalls (before its headers or mid-body) ends the download
within a second or so instead of at the read timeout, and keeps the part file for a resume."""

from __future__ import annotations

import time

import pytest

from library.downloads.fetch import DownloadError, DownloadRequest, DownloadStopped, download
from tests.library.downloads.conftest import FINAL, PART, SIDECAR, SIZE, Recorder, blob, fetch

STALL = 6.0  # seconds the server stays silent; the read timeout is longer still
QUICK = 3.0  # a stop must end the download well within the stall


class StopLater:
    """`should_stop` that says yes from `seconds` after it was made."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def __call__(self) -> bool:
        return time.monotonic() >= self.at


def stopped_after(url: str, folder, seconds: float) -> float:
    """Seconds `download` took to raise DownloadStopped when a stop comes after `seconds`."""
    started = time.monotonic()
    with pytest.raises(DownloadStopped):
        download(
            DownloadRequest(
                url,
                folder,
                FINAL,
                PART,
                on_progress=Recorder(),
                should_stop=StopLater(seconds),
                timeout=30.0,
            )
        )
    return time.monotonic() - started


def test_a_stop_while_the_server_has_not_sent_its_headers_ends_the_download_at_once(
    download_server, tmp_path
):
    download_server.add("/ep.mkv", blob(SIZE), delay=STALL)

    took = stopped_after(download_server.url("/ep.mkv"), tmp_path, 0.3)

    assert took < QUICK
    assert not (tmp_path / FINAL).exists()


def test_a_part_file_is_kept_whole_by_a_stop_before_the_headers_and_resumes_later(
    download_server, tmp_path
):
    data = blob(SIZE)
    served = download_server.add("/ep.mkv", data)
    served.cuts.append(100_000)
    url = download_server.url("/ep.mkv")
    with pytest.raises(DownloadError):
        fetch(url, tmp_path)
    assert (tmp_path / PART).stat().st_size == 100_000

    served.delay = STALL
    assert stopped_after(url, tmp_path, 0.3) < QUICK
    assert (tmp_path / PART).stat().st_size == 100_000 and (tmp_path / SIDECAR).exists()

    served.delay = 0
    assert fetch(url, tmp_path).read_bytes() == data
    assert download_server.ranges("/ep.mkv")[-1] == "bytes=100000-"


def test_a_stop_while_the_body_stalls_ends_the_download_at_once_and_keeps_what_arrived(
    download_server, tmp_path
):
    data = blob(SIZE)
    download_server.add("/ep.mkv", data).stalls.append((150_000, STALL))
    url = download_server.url("/ep.mkv")

    assert stopped_after(url, tmp_path, 0.5) < QUICK

    assert (tmp_path / PART).stat().st_size == 150_000
    assert fetch(url, tmp_path).read_bytes() == data
    assert download_server.ranges("/ep.mkv")[-1] == "bytes=150000-"
