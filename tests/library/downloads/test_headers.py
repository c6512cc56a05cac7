"""Reading what an HTTP answer says about a download: announced checksums in their three
spellings, Content-Range of a 206 and a 416, and Retry-After."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

from library.downloads.headers import (
    ContentRange,
    announced_sha256,
    content_range,
    retry_after,
    unsatisfied_total,
)

DIGEST = hashlib.sha256(b"episode").digest()
B64 = base64.b64encode(DIGEST).decode()


@pytest.mark.parametrize(
    "headers",
    [
        {"Repr-Digest": f"sha-512=:{base64.b64encode(b'x' * 64).decode()}:, sha-256=:{B64}:"},
        {"Digest": f"MD5=abc, SHA-256={B64}"},
        {"X-Checksum-Sha256": DIGEST.hex().upper()},
    ],
)
def test_an_announced_sha256_is_read_in_each_spelling(headers):
    assert announced_sha256(httpx.Headers(headers)) == DIGEST.hex()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Digest": "SHA-256=not base64!"},
        {"Digest": f"SHA-256={base64.b64encode(b'short').decode()}"},
        {"Repr-Digest": f"sha-512=:{B64}:"},
        {"X-Checksum-Sha256": "abc123"},
        {"Content-Digest": f"sha-256=:{B64}:"},  # the digest of this answer's part only
    ],
)
def test_a_missing_or_malformed_checksum_is_none(headers):
    assert announced_sha256(httpx.Headers(headers)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes 100-199/1000", ContentRange(100, 199, 1000)),
        ("bytes 0-99/*", ContentRange(0, 99, None)),
        ("bytes 200-100/1000", None),
        ("bytes */1000", None),
        ("items 0-1/2", None),
        ("", None),
    ],
)
def test_content_range_of_a_partial_answer(value, expected):
    assert content_range(httpx.Headers({"Content-Range": value})) == expected


def test_the_size_a_416_announces():
    assert unsatisfied_total(httpx.Headers({"Content-Range": "bytes */1000"})) == 1000
    assert unsatisfied_total(httpx.Headers({})) is None


@pytest.mark.parametrize(
    ("value", "expected"), [("120", 120.0), (" 5 ", 5.0), ("", None), (None, None), ("-1", None)]
)
def test_retry_after_in_seconds(value, expected):
    assert retry_after(value) == expected


def test_a_retry_after_date_in_the_past_means_now():
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
