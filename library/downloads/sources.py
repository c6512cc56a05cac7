"""Where an episode can come from: a `Source` says whether it handles a URL and downloads it
into the target folder. `HttpSource` fetches direct links to video files; `YtDlpSource` hands
page URLs to yt-dlp when it is installed. `source_for(url)` picks one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from library.downloads import fetch, ytdlp
from library.downloads.errors import DownloadError
from library.downloads.partfile import finish
from library.downloads.request import DownloadRequest
from library.downloads.urls import check_url, is_http, is_video_link


class Source(ABC):
    """One way of carrying out a `DownloadRequest`, with the errors of `fetch.download`."""

    name: ClassVar[str]

    @abstractmethod
    def handles(self, url: str) -> bool: ...

    @abstractmethod
    def download(self, request: DownloadRequest) -> Path: ...


class HttpSource(Source):
    """A direct http(s) link to the file itself."""

    name = "http"

    def handles(self, url: str) -> bool:
        return is_http(url)

    def download(self, request: DownloadRequest) -> Path:
        return fetch.download(request)


class YtDlpSource(Source):
    """A page yt-dlp knows how to download the video of (it must be installed)."""

    name = "yt-dlp"

    @staticmethod
    def available() -> bool:
        return ytdlp.command() is not None

    def handles(self, url: str) -> bool:
        return is_http(url) and self.available()

    def download(self, request: DownloadRequest) -> Path:
        part, meter = request.start()
        extension = ytdlp.extension_of(request.final_name)
        with part.locked():
            ytdlp.run(
                request.url,
                part,
                extension,
                meter=meter,
                should_stop=request.should_stop,
                timeout=request.timeout,
            )
            if part.size() == 0:
                raise DownloadError("yt-dlp finished without writing the video file.")
            return finish(
                part,
                request.final_path,
                meter,
                sizes={"the expected size": request.expected_size},
                checksums={"the expected checksum": request.expected_sha256},
            )


def source_for(url: str) -> Source:
    """The source for `url`: a link to a video file, or any link when yt-dlp is missing, is
    fetched directly; another page goes to yt-dlp. Only http and https (DownloadError)."""
    check_url(url)
    if is_video_link(url) or not YtDlpSource.available():
        return HttpSource()
    return YtDlpSource()
