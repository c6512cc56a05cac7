"""Clients of the downloaders an imported NZB is handed to (SABnzbd, NZBGet), over httpx.

Their failures are the job's words: a downloader that cannot be reached, times out or answers
5xx is `DownloaderDown` (retried with back-off), one that refuses the credentials or the NZB is
`DownloaderRefused` (a sentence naming the setting to fix, no retry). The API key never
reaches a log line (`nomarr_site.httplog` hides query values in httpx's request log).
"""

from __future__ import annotations

from typing import Any

import httpx

from jobs.runner import JobFailed, RetryableError

TIMEOUT_SECONDS = 30.0


class DownloaderDown(RetryableError):
    """The downloader is unreachable, too slow or failing (5xx): worth another attempt."""


class DownloaderRefused(JobFailed):
    """The downloader refused the request (credentials, the NZB, its answer): fix and retry."""


def post_json(
    service: str,
    base_url: str,
    path: str,
    *,
    url_setting: str,
    login_refused: str,
    answer: str = "JSON",
    **request: Any,
) -> dict[str, Any]:
    """POST `request` (httpx's keyword arguments) to `base_url + path` and return the JSON
    object answered. A timeout, a transport error or a 5xx is DownloaderDown; 401/403 is
    DownloaderRefused(`login_refused`); another status or a body that is not a JSON object
    is DownloaderRefused naming `url_setting` (`answer` names what the API returns)."""
    try:
        response = httpx.post(f"{base_url}{path}", timeout=TIMEOUT_SECONDS, **request)
    except httpx.TimeoutException:
        raise DownloaderDown(f"{service} at {base_url} did not answer in time") from None
    except httpx.HTTPError as exc:
        raise DownloaderDown(
            f"{service} at {base_url} cannot be reached ({type(exc).__name__})"
        ) from None
    status = response.status_code
    if status in (401, 403):
        raise DownloaderRefused(login_refused)
    if status >= 500:
        raise DownloaderDown(f"{service} answered HTTP {status}")
    if status != 200:
        raise DownloaderRefused(f"{service} answered HTTP {status}; check {url_setting}")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DownloaderRefused(
            f"{service}'s answer is not the {answer} its API returns; check {url_setting}"
        )
    return body
