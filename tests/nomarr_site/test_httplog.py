"""URLs in logs and answers: httpx's log lines hide every query value and the user info of
the URLs they name; an answer that shows one URL hides only its password."""

from __future__ import annotations

import logging

import httpx
import pytest

from nomarr_site.httplog import hide_url_credentials, hide_url_password


def httpx_logs(caplog, url: str) -> str:
    """What httpx's own request line says about `url`, through the installed filter."""
    with caplog.at_level(logging.INFO, logger="httpx"):
        logging.getLogger("httpx").info("HTTP Request: %s %s", "GET", httpx.URL(url))
    return caplog.text


def test_httpx_log_lines_hide_every_query_value(caplog):
    """Keys and a download source's signed tokens travel in query strings; httpx logs URLs."""
    assert (
        hide_url_credentials('GET https://h/x.mkv?token=s3cret&api_key=K&e=1 "HTTP/1.1 200 OK"')
        == 'GET https://h/x.mkv?token=***&api_key=***&e=*** "HTTP/1.1 200 OK"'
    )
    assert hide_url_credentials("https://h/path/without/query") == "https://h/path/without/query"
    logged = httpx_logs(caplog, "https://h/f?sig=abc123&apikey=KEY")
    assert "abc123" not in logged and "KEY" not in logged
    assert "sig=***" in logged


def test_httpx_log_lines_hide_credentials_written_into_the_url(caplog):
    """A download source may carry `user:password@` (or a token as the user name) in its URL;
    httpx logs the URL as it is."""
    assert (
        hide_url_credentials('GET http://ann:pw1@h:8/x.mkv?t=s "HTTP/1.1 200 OK"')
        == 'GET http://***@h:8/x.mkv?t=*** "HTTP/1.1 200 OK"'
    )
    assert hide_url_credentials("https://TOKEN@h/a@b.mkv") == "https://***@h/a@b.mkv"
    assert hide_url_credentials("https://h/a@b.mkv") == "https://h/a@b.mkv"
    logged = httpx_logs(caplog, "http://user:pw1SECRET@127.0.0.1/e.mkv")
    assert "pw1SECRET" not in logged and "user" not in logged
    assert "http://***@127.0.0.1/e.mkv" in logged


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:secret@host/file.mkv", "https://user:***@host/file.mkv"),
        ("https://user:p@ss:w@host:8/a@b.mkv?t=1", "https://user:***@host:8/a@b.mkv?t=1"),
        ("https://TOKEN@host/a@b.mkv", "https://***@host/a@b.mkv"),
        ("https://user:@host/x", "https://user:***@host/x"),
        ("https://host:8/x.mkv?v=abc&list=1", "https://host:8/x.mkv?v=abc&list=1"),
        ("https://host/a@b.mkv", "https://host/a@b.mkv"),
        ("https://host/x?next=u:p@h", "https://host/x?next=u:p@h"),
    ],
)
def test_a_shown_url_hides_its_password_and_keeps_its_query(url, shown):
    """A download item's `source_url` in answers: the download queue's pages read it."""
    assert hide_url_password(url) == shown


def test_log_lines_hide_a_password_with_a_raw_at_sign():
    """`urllib` splits the user info at the last `@` of the authority: so does the log filter."""
    shown = hide_url_credentials("GET https://user:p@ss@host/f.mkv and https://h2/a@b")
    assert shown == "GET https://***@host/f.mkv and https://h2/a@b"
