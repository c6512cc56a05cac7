"""Running the `yt-dlp` program for a page URL (a streaming site's episode page): into the
hidden part file of the target folder, resumable (`--continue`), its `--newline` progress
lines turned into `Progress`. Run as a program, not imported: it is optional, large, and a
crash in it must not take the worker down."""

from __future__ import annotations

import importlib.util
import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from library.downloads.errors import DownloadError, DownloadStopped
from library.downloads.partfile import PartFile
from library.downloads.progress import Meter

logger = logging.getLogger(__name__)

STOP_GRACE = 10.0  # seconds yt-dlp gets to exit after SIGTERM
_POLL = 0.25  # how often should_stop is asked while yt-dlp is silent
_UNITS = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
          "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}  # fmt: skip
_SIZE = r"(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)"
_PROGRESS = re.compile(r"^\[download\]\s+(\d+(?:\.\d+)?)%\s+of\s+~?\s*" + _SIZE)
_SPEED = re.compile(r"\bat\s+" + _SIZE + r"/s")
_ETA = re.compile(r"\bETA\s+(?:(\d+):)?(\d+):(\d+)")
_RETRYABLE = re.compile(
    r"HTTP Error (?:5\d\d|429|408)|timed out|Connection (?:reset|refused|aborted)|"
    r"Temporary failure|Network is unreachable|Unable to download webpage",
    re.I,
)


@dataclass(frozen=True)
class LineProgress:
    """What one `[download]` progress line says."""

    percent: float
    total: int | None
    speed_bps: float | None
    eta_seconds: int | None


def command() -> list[str] | None:
    """How to run yt-dlp here: the `yt-dlp` program on PATH, else the `yt_dlp` module of this
    Python; None when neither is installed."""
    program = shutil.which("yt-dlp")
    if program:
        return [program]
    if importlib.util.find_spec("yt_dlp") is not None:
        return [sys.executable, "-m", "yt_dlp"]
    return None


def parse_line(line: str) -> LineProgress | None:
    """`[download]  45.3% of ~  10.00MiB at    1.23MiB/s ETA 00:05` → its numbers; None for
    any other line."""
    match = _PROGRESS.match(line.strip())
    if match is None:
        return None
    total = int(float(match.group(2)) * _UNITS[match.group(3)])
    speed = _SPEED.search(line)
    eta = _ETA.search(line)
    return LineProgress(
        percent=min(100.0, float(match.group(1))),
        total=total or None,
        speed_bps=float(speed.group(1)) * _UNITS[speed.group(2)] if speed else None,
        eta_seconds=(
            int(eta.group(1) or 0) * 3600 + int(eta.group(2)) * 60 + int(eta.group(3))
            if eta
            else None
        ),
    )


def arguments(url: str, output: Path, extension: str, timeout: float) -> list[str]:
    """yt-dlp's options: one file (no playlist, no merge that would need ffmpeg and change the
    name), written to exactly `output` (a `%` in a folder name is not a template field),
    continued when it exists, the user's yt-dlp config ignored."""
    wanted = f"b[ext={extension}]/b" if extension else "b"
    return [
        "--ignore-config", "--newline", "--continue", "--no-part", "--no-playlist",
        "--no-mtime", "--socket-timeout", str(max(1, round(timeout))), "--format", wanted,
        "--output", str(output).replace("%", "%%"), "--", url,
    ]  # fmt: skip


def run(
    url: str,
    part: PartFile,
    extension: str,
    *,
    meter: Meter,
    should_stop: Callable[[], bool],
    timeout: float,
) -> None:
    """Run yt-dlp until the part file is complete. DownloadStopped (yt-dlp ended, the part
    kept) when `should_stop()` says so; DownloadError when yt-dlp fails."""
    program = command()
    if program is None:
        raise DownloadError(
            "yt-dlp is not installed; install it (pip install yt-dlp) to download from this "
            "site, or give a direct link to the video file."
        )
    try:
        process = subprocess.Popen(  # noqa: S603 - a fixed program, the URL after `--`
            [*program, *arguments(url, part.path, extension, timeout)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise DownloadError(f"yt-dlp could not be started: {exc.strerror or exc}.") from None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        errors = _follow(process, lines, part, meter, should_stop)
    except BaseException:  # a stop, or a callback that failed: yt-dlp must not run on
        _end(process)
        raise
    reader.join(timeout=STOP_GRACE)
    if process.wait() != 0:
        raise _failure(part, errors, process.returncode)


def _read(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Hand yt-dlp's output over line by line (a thread, so a silent yt-dlp cannot keep
    `should_stop` from being asked); None at the end."""
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _follow(
    process: subprocess.Popen[str],
    lines: queue.Queue[str | None],
    part: PartFile,
    meter: Meter,
    should_stop: Callable[[], bool],
) -> list[str]:
    """Turn yt-dlp's lines into progress until it exits; its ERROR lines."""
    errors: list[str] = []
    while True:
        if should_stop():
            raise DownloadStopped()
        try:
            line = lines.get(timeout=_POLL)
        except queue.Empty:
            continue
        if line is None:
            return errors
        if line.startswith("ERROR:"):
            errors.append(line.removeprefix("ERROR:").strip())
        progress = parse_line(line)
        if progress is not None:
            meter.update(part.size(), progress.total)
        elif line.strip():
            logger.debug("yt-dlp: %s", line)


def _end(process: subprocess.Popen[str]) -> None:
    """Ask yt-dlp to stop, then insist: the part file stays for `--continue`."""
    process.terminate()
    try:
        process.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _failure(part: PartFile, errors: list[str], code: int) -> DownloadError:
    reason = errors[-1] if errors else f"yt-dlp exited with status {code}"
    if "No space left on device" in reason:
        part.discard()
        folder = part.path.parent
        return DownloadError(f"The disk holding {folder} is full; free some space and try again.")
    # Killed by a signal (the OOM killer, a worker shutdown) says nothing about the video.
    retryable = bool(_RETRYABLE.search(reason)) or (code < 0 and not errors)
    return DownloadError(f"yt-dlp could not download the video: {reason}", retryable=retryable)


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lstrip(".").lower()
