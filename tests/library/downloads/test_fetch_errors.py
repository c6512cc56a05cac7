"""The HTTP(S) downloader's failures against a real loopback file host: server errors and
timeouts are retryable, client errors are final, and a size or checksum that does not match
leaves no file."""

from __future__ import annotations

import email.utils
import hashlib
import time

import pytest

from library.downloads.fetch import DownloadError
from tests.library.downloads.conftest import (
    FINAL,
    PART,
    SIZE,
    blob,
    fetch,
    names,
)


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


def test_a_compressed_answer_is_refused_rather_than_saved(download_server, tmp_path):
    download_server.add("/ep.mkv", blob(1000), headers={"Content-Encoding": "gzip"})

    with pytest.raises(DownloadError, match="compressed"):
        fetch(download_server.url("/ep.mkv"), tmp_path)
    assert names(tmp_path) == set()


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


def test_an_https_source_whose_certificate_cannot_be_verified_is_a_final_error(
    download_server_tls, tmp_path
):
    download_server_tls.add("/ep.mkv", blob(1000))

    with pytest.raises(DownloadError) as failed:
        fetch(download_server_tls.url("/ep.mkv"), tmp_path)

    assert not failed.value.retryable
    assert "certificate of 127.0.0.1 could not be verified" in failed.value.message
    assert names(tmp_path) == set()
