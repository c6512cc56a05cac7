"""Which URLs a download may use (http and https with a host, nothing else), how a URL is
shown in messages (without its query, which may hold a token), and whether it links a video
file directly."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from library.downloads.errors import DownloadError
from library.series.naming import VIDEO_EXTENSIONS

SCHEMES = ("http", "https")


def shown(url: str) -> str:
    """`url` for messages and logs: without its query, which may hold a token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def check_url(url: str) -> None:
    """Refuse anything but an http(s) URL with a host (file:, ftp:, data: ...)."""
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
    except ValueError:  # "http://[::1": a malformed IPv6 address
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in SCHEMES
        or not parts.hostname
        or any(c.isspace() or ord(c) < 32 for c in parts.netloc)
    ):
        raise DownloadError(
            f"Only http and https URLs can be downloaded; {str(url)[:100]!r} is not one."
        )


def is_http(url: str) -> bool:
    try:
        check_url(url)
    except DownloadError:
        return False
    return True


def is_video_link(url: str) -> bool:
    """Whether the URL's path names a video file (`.../Show.S01E02.mkv`)."""
    suffix = PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()
    return suffix in VIDEO_EXTENSIONS
