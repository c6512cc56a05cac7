"""Clients of the downloaders an imported NZB is handed to (SABnzbd, NZBGet), over httpx.

Their failures are the job's words: a downloader that cannot be reached, times out or answers
5xx is `DownloaderDown` (retried with back-off), one that refuses the credentials or the NZB is
`DownloaderRefused` (a sentence naming the setting to fix, no retry). The API key never
reaches a log line: httpx's request log is redacted.
"""

from __future__ import annotations

import logging
import re

import httpx

from jobs.runner import JobFailed, RetryableError

TIMEOUT_SECONDS = 30.0
_KEY_PARAM = re.compile(r"(apikey=)[^&\s\"']+", re.IGNORECASE)


class _RedactApiKey(logging.Filter):
    """httpx logs each request's URL, which holds SABnzbd's key as `apikey=`: hide it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                _KEY_PARAM.sub(r"\1***", str(arg)) if isinstance(arg, str | httpx.URL) else arg
                for arg in record.args
            )
        record.msg = _KEY_PARAM.sub(r"\1***", str(record.msg))
        return True


logging.getLogger("httpx").addFilter(_RedactApiKey())


class DownloaderDown(RetryableError):
    """The downloader is unreachable, too slow or failing (5xx): worth another attempt."""


class DownloaderRefused(JobFailed):
    """The downloader refused the request (credentials, the NZB, its answer): fix and retry."""
