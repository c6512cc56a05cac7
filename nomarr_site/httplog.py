"""Keeps credentials out of httpx's request log: every outgoing request's URL is logged at
INFO, and query strings carry keys (TMDB's `api_key=`, SABnzbd's `apikey=`) or the signed
tokens of a download source's URL. Each query value in a log line becomes `***`."""

from __future__ import annotations

import logging
import re

import httpx

_QUERY_VALUE = re.compile(r"([?&][^=&\s\"'#?]+=)[^&\s\"'#]+")


def hide_query_values(text: str) -> str:
    """`text` with the value of every query parameter of the URLs in it replaced by `***`."""
    return _QUERY_VALUE.sub(r"\1***", text)


class HideQueryValues(logging.Filter):
    """The filter on the `httpx` logger (installed once by `NomarrSiteConfig.ready`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                hide_query_values(str(arg)) if isinstance(arg, str | httpx.URL) else arg
                for arg in record.args
            )
        record.msg = hide_query_values(str(record.msg))
        return True


def install() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, HideQueryValues) for f in logger.filters):
        logger.addFilter(HideQueryValues())
