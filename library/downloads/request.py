"""What one download is asked to do (`DownloadRequest`: where from, where to, what to verify,
whom to tell), shared by every source, and the checks and part file that each source starts
from (`DownloadRequest.start`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

from library.downloads.partfile import PartFile, check_sha256, check_target
from library.downloads.progress import Meter, Progress
from library.downloads.urls import check_url


@dataclass(frozen=True)
class DownloadRequest:
    """Download `url` to `target_dir / final_name` through the hidden `target_dir / part_name`
    (the same part name resumes an earlier attempt); a known size or SHA-256 is verified.
    `on_progress` hears the progress, `should_stop` is asked often whether to stop."""

    url: str
    target_dir: Path
    final_name: str
    part_name: str
    _: KW_ONLY
    on_progress: Callable[[Progress], None]
    should_stop: Callable[[], bool]
    expected_size: int | None = None
    expected_sha256: str | None = None
    timeout: float = 30.0

    @property
    def final_path(self) -> Path:
        return Path(self.target_dir) / self.final_name

    def start(self) -> tuple[PartFile, Meter]:
        """Refuse a bad folder, name, URL or checksum (DownloadError, before anything is
        written); the part file and the progress meter every source works with."""
        target_dir = Path(self.target_dir)
        check_target(target_dir, self.final_name, self.part_name)
        check_url(self.url)
        check_sha256(self.expected_sha256)
        return PartFile(target_dir, self.part_name), Meter(self.on_progress)
