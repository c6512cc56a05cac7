"""Keeps credentials out of httpx's request log: every outgoing request's URL is logged at
INFO, and URLs carry keys in query strings (TMDB's `api_key=`, SABnzbd's `apikey=`, the signed
tokens of a download source's URL) or in their user info (`https://user:password@host/`, as a
download source may be written). Each query value and each user info in a log line becomes
`***`."""

from __future__ import annotations

import logging
import re

import httpx

_QUERY_VALUE = re.compile(r"([?&][^=&\s\"'#?]+=)[^&\s\"'#]+")
# The user info of an absolute URL: after `scheme://`, before the first `@` that comes before
# any `/`, `?` or `#` (a later `@` belongs to the path).
_USER_INFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s\"']+@")


def hide_url_credentials(text: str) -> str:
    """`text` with the user info and the value of every query parameter of the URLs in it
    replaced by `***`."""
    return _QUERY_VALUE.sub(r"\1***", _USER_INFO.sub(r"\1***@", text))


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
