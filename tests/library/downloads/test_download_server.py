"""The loopback download source itself answers as file hosts do, so the engine's tests (and
the queue's) test against the real protocol: ranges, If-Range, 416, HEAD."""

from __future__ import annotations

import httpx

from tests.library.downloads.conftest import blob


def test_a_range_is_answered_with_206_and_content_range(download_server):
    data = blob(1000)
    served = download_server.add("/ep.mkv", data)

    answer = httpx.get(download_server.url("/ep.mkv"), headers={"Range": "bytes=100-"})

    assert answer.status_code == 206
    assert answer.headers["Content-Range"] == "bytes 100-999/1000"
    assert answer.content == data[100:]
    assert answer.headers["ETag"] == served.etag and answer.headers["Accept-Ranges"] == "bytes"


def test_a_stale_if_range_gets_the_whole_file(download_server):
    data = blob(1000)
    download_server.add("/ep.mkv", data)

    answer = httpx.get(
        download_server.url("/ep.mkv"), headers={"Range": "bytes=100-", "If-Range": '"old"'}
    )

    assert answer.status_code == 200 and answer.content == data


def test_a_range_past_the_end_is_416_with_the_size(download_server):
    download_server.add("/ep.mkv", blob(1000))

    answer = httpx.get(download_server.url("/ep.mkv"), headers={"Range": "bytes=1000-"})

    assert answer.status_code == 416 and answer.headers["Content-Range"] == "bytes */1000"


def test_head_gives_the_headers_without_the_body_and_keeps_the_cut_for_the_get(
    download_server,
):
    served = download_server.add("/ep.mkv", blob(1000))
    served.cuts.append(10)

    answer = httpx.head(download_server.url("/ep.mkv"))

    assert answer.status_code == 200 and answer.headers["Content-Length"] == "1000"
    assert answer.content == b"" and served.cuts == [10]
    assert download_server.requests[0]["method"] == "HEAD"


def test_an_unknown_path_is_404(download_server):
    assert httpx.get(download_server.url("/nothing.mkv")).status_code == 404
