"""Keeps credentials out of httpx's request log: every outgoing request's URL is logged at
INFO, and URLs carry keys in query strings (TMDB's `api_key=`, SABnzbd's `apikey=`, the signed
tokens of a download source's URL) or in their user info (`https://user:password@host/`, as a
download source may be written). Each query value and each user info in a log line becomes
`***`. `hide_url_password` is the milder form for answers that show one URL."""

from __future__ import annotations

import logging
import re

import httpx

_QUERY_VALUE = re.compile(r"([?&][^=&\s\"'#?]+=)[^&\s\"'#]+")
# The user info of an absolute URL: after `scheme://`, up to the last `@` before any `/`, `?`,
# `#` or space (a later `@` belongs to the path; an earlier one is a raw `@` in the password).
_USER_INFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s\"']+@")
# One URL's user info, as `urllib.parse` splits it: up to the *last* `@` of the authority, so a
# raw `@` inside a password is hidden too; the user name is what precedes the first `:`.
_USER_AND_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#:]*)(:[^/?#]*)?@")


def hide_url_credentials(text: str) -> str:
    """`text` with the user info and the value of every query parameter of the URLs in it
    replaced by `***`."""
    return _QUERY_VALUE.sub(r"\1***", _USER_INFO.sub(r"\1***@", text))


def hide_url_password(url: str) -> str:
    """One URL as an answer may show it: `user:***@` for `user:password@`, and `***@` for a
    user info without a password (then the user name is usually a token). The query stays, so
    a long source URL stays readable; the stored URL is not changed."""
    match = _USER_AND_PASSWORD.match(url)
    if match is None:
        return url
    scheme, user, password = match.groups()
    shown = f"{user}:***" if password is not None else "***"
    return f"{scheme}{shown}@{url[match.end() :]}"


class HideUrlCredentials(logging.Filter):
    """The filter on the `httpx` logger (installed once by `NomarrSiteConfig.ready`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                hide_url_credentials(str(arg)) if isinstance(arg, str | httpx.URL) else arg
                for arg in record.args
            )
        record.msg = hide_url_credentials(str(record.msg))
        return True


def install() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, HideUrlCredentials) for f in logger.filters):
        logger.addFilter(HideUrlCredentials())
