"""Where an episode can come from: a `Source` says whether it handles a URL and downloads it
into the target folder. `HttpSource` fetches direct links to video files; `YtDlpSource` hands
page URLs to yt-dlp when it is installed. `source_for(url)` picks one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from library.downloads import fetch, ytdlp
from library.downloads.errors import DownloadError
from library.downloads.partfile import PartFile, check_sha256, check_target, finish
from library.downloads.progress import Meter, Progress
from library.downloads.urls import check_url, is_http, is_video_link


class Source(ABC):
    """One way of downloading a URL into `target_dir / final_name` through the hidden
    `part_name`, with the callbacks and errors of `fetch.download`."""

    name: ClassVar[str]

    @abstractmethod
    def handles(self, url: str) -> bool: ...

    @abstractmethod
    def download(
        self,
        url: str,
        target_dir: Path,
        final_name: str,
        part_name: str,
        *,
        on_progress: Callable[[Progress], None],
        should_stop: Callable[[], bool],
        expected_size: int | None = None,
        expected_sha256: str | None = None,
        timeout: float = 30.0,
    ) -> Path: ...


class HttpSource(Source):
    """A direct http(s) link to the file itself."""

    name = "http"

    def handles(self, url: str) -> bool:
        return is_http(url)

    def download(
        self,
        url: str,
        target_dir: Path,
        final_name: str,
        part_name: str,
        *,
        on_progress: Callable[[Progress], None],
        should_stop: Callable[[], bool],
        expected_size: int | None = None,
        expected_sha256: str | None = None,
        timeout: float = 30.0,
    ) -> Path:
        return fetch.download(
            url,
            target_dir,
            final_name,
            part_name,
            on_progress=on_progress,
            should_stop=should_stop,
            expected_size=expected_size,
            expected_sha256=expected_sha256,
            timeout=timeout,
        )


class YtDlpSource(Source):
    """A page yt-dlp knows how to download the video of (it must be installed)."""

    name = "yt-dlp"

    @staticmethod
    def available() -> bool:
        return ytdlp.command() is not None

    def handles(self, url: str) -> bool:
        return is_http(url) and self.available()

    def download(
        self,
        url: str,
        target_dir: Path,
        final_name: str,
        part_name: str,
        *,
        on_progress: Callable[[Progress], None],
        should_stop: Callable[[], bool],
        expected_size: int | None = None,
        expected_sha256: str | None = None,
        timeout: float = 30.0,
    ) -> Path:
        target_dir = Path(target_dir)
        check_target(target_dir, final_name, part_name)
        check_url(url)
        check_sha256(expected_sha256)
        part = PartFile(target_dir, part_name)
        meter = Meter(on_progress)
        extension = ytdlp.extension_of(final_name)
        with part.locked():
            ytdlp.run(url, part, extension, meter=meter, should_stop=should_stop, timeout=timeout)
            if part.size() == 0:
                raise DownloadError("yt-dlp finished without writing the video file.")
            return finish(
                part,
                target_dir / final_name,
                meter,
                sizes={"the expected size": expected_size},
                checksums={"the expected checksum": expected_sha256},
            )


def source_for(url: str) -> Source:
    """The source for `url`: a link to a video file, or any link when yt-dlp is missing, is
    fetched directly; another page goes to yt-dlp. Only http and https (DownloadError)."""
    check_url(url)
    if is_video_link(url) or not YtDlpSource.available():
        return HttpSource()
    return YtDlpSource()
