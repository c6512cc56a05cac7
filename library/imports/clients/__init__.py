"""Clients of the downloaders an imported NZB is handed to (SABnzbd, NZBGet), over httpx.

Their failures are the job's words: a downloader that cannot be reached, times out or answers
5xx is `DownloaderDown` (retried with back-off), one that refuses the credentials or the NZB is
`DownloaderRefused` (a sentence naming the setting to fix, no retry). The API key never
reaches a log line (`nomarr_site.httplog` hides query values in httpx's request log).
"""

from __future__ import annotations

from jobs.runner import JobFailed, RetryableError

TIMEOUT_SECONDS = 30.0


class DownloaderDown(RetryableError):
    """The downloader is unreachable, too slow or failing (5xx): worth another attempt."""


class DownloaderRefused(JobFailed):
    """The downloader refused the request (credentials, the NZB, its answer): fix and retry."""
