"""Choosing a source for a URL and the yt-dlp source, run against a stand-in `yt-dlp` program
(a real subprocess writing real bytes and yt-dlp's progress lines; see
tests/support/fake_yt_dlp.py) because yt-dlp itself is not installed here."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from library.downloads import ytdlp
from library.downloads.fetch import DownloadError, DownloadStopped
from library.downloads.request import DownloadRequest
from library.downloads.sources import HttpSource, YtDlpSource, source_for
from tests.library.downloads.conftest import Recorder, blob

FAKE = Path(__file__).resolve().parents[2] / "support" / "fake_yt_dlp.py"
FINAL = "Show - S01E02 - Title.mp4"
PART = ".nomarr-77aa.part"
PAGE = "https://videos.example.org/watch/episode-2"


@pytest.fixture
def no_yt_dlp(monkeypatch, tmp_path):
    """A PATH without yt-dlp (and no yt_dlp module in this Python)."""
    if ytdlp.importlib.util.find_spec("yt_dlp") is not None:
        pytest.skip("the yt_dlp module is installed in this Python")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.fixture
def yt_dlp_program(monkeypatch, tmp_path):
    """The stand-in yt-dlp first on PATH; returns (video bytes, log of its runs' arguments)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "yt-dlp"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    program.chmod(0o755)
    data = blob(200_000, seed=7)
    source = tmp_path / "video.bin"
    source.write_bytes(data)
    log = tmp_path / "yt-dlp-runs.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_YTDLP_SOURCE", str(source))
    monkeypatch.setenv("FAKE_YTDLP_LOG", str(log))
    return data, log


def runs(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def get(url: str, folder: Path, recorder: Recorder | None = None, **options) -> Path:
    recorder = recorder or Recorder()
    request = DownloadRequest(
        url, folder, FINAL, PART, on_progress=recorder, should_stop=recorder.should_stop, **options
    )
    return YtDlpSource().download(request)


@pytest.mark.parametrize(
    "url",
    ["https://cdn.example.org/Show.S01E02.mkv", "http://host/a/b/Episode%202.MP4?token=x"],
)
def test_a_link_to_a_video_file_is_fetched_directly(url, yt_dlp_program):
    assert isinstance(source_for(url), HttpSource)


def test_a_page_goes_to_yt_dlp_when_it_is_installed(yt_dlp_program):
    source = source_for(PAGE)
    assert isinstance(source, YtDlpSource) and source.handles(PAGE)


def test_a_page_is_fetched_directly_when_yt_dlp_is_missing(no_yt_dlp):
    assert isinstance(source_for(PAGE), HttpSource)
    assert not YtDlpSource().handles(PAGE)


@pytest.mark.parametrize(
    "url", ["file:///srv/media/a.mkv", "ftp://example.org/a.mkv", "data:video/mp4;base64,AAAA"]
)
def test_schemes_other_than_http_are_refused_with_a_clear_error(url):
    with pytest.raises(DownloadError, match="Only http and https") as refused:
        source_for(url)
    assert not refused.value.retryable
    assert not HttpSource().handles(url) and not YtDlpSource().handles(url)


def test_the_http_source_downloads_through_the_engine(download_server, tmp_path):
    data = blob(50_000)
    download_server.add("/Show.S01E02.mkv", data)
    url = download_server.url("/Show.S01E02.mkv")
    recorder = Recorder()

    source = source_for(url)
    request = DownloadRequest(
        url, tmp_path, "Show - S01E02.mkv", PART, on_progress=recorder,
        should_stop=recorder.should_stop,
    )  # fmt: skip
    path = source.download(request)

    assert path.read_bytes() == data
    assert recorder.calls[-1].as_event()["percent"] == 100.0


def test_yt_dlp_downloads_a_page_into_the_final_name_with_progress(yt_dlp_program, tmp_path):
    data, log = yt_dlp_program
    recorder = Recorder()

    path = get(PAGE, tmp_path, recorder, expected_sha256=hashlib.sha256(data).hexdigest())

    assert path == tmp_path / FINAL and path.read_bytes() == data
    assert {p.name for p in tmp_path.iterdir()} >= {FINAL} and not (tmp_path / PART).exists()
    percents = [p.as_event()["percent"] for p in recorder.calls]
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert recorder.calls[0].total == pytest.approx(len(data), rel=0.01)  # from "of 195.31KiB"
    (arguments,) = runs(log)
    assert arguments[-2:] == ["--", PAGE]
    assert arguments[arguments.index("--output") + 1] == str(tmp_path / PART)
    assert {"--newline", "--continue", "--no-part", "--ignore-config"} <= set(arguments)
    assert arguments[arguments.index("--format") + 1] == "b[ext=mp4]/b"


def test_a_percent_sign_in_the_folder_is_not_read_as_a_template(yt_dlp_program, tmp_path):
    data, log = yt_dlp_program
    folder = tmp_path / "100% Show"
    folder.mkdir()

    assert get(PAGE, folder).read_bytes() == data
    assert runs(log)[0][runs(log)[0].index("--output") + 1] == str(folder / PART).replace("%", "%%")


def test_a_yt_dlp_failure_keeps_the_part_and_the_next_run_continues_it(
    yt_dlp_program, tmp_path, monkeypatch
):
    data, log = yt_dlp_program
    monkeypatch.setenv("FAKE_YTDLP_ERROR", "unable to download video data: HTTP Error 503")
    monkeypatch.setenv("FAKE_YTDLP_FAIL_AFTER", "60000")

    with pytest.raises(DownloadError) as failed:
        get(PAGE, tmp_path)
    assert failed.value.retryable and "HTTP Error 503" in failed.value.message
    assert (tmp_path / PART).read_bytes() == data[:60000]

    monkeypatch.delenv("FAKE_YTDLP_ERROR")
    monkeypatch.delenv("FAKE_YTDLP_FAIL_AFTER")
    assert get(PAGE, tmp_path).read_bytes() == data
    assert len(runs(log)) == 2


def test_an_unsupported_page_is_a_final_error(yt_dlp_program, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_YTDLP_ERROR", f"Unsupported URL: {PAGE}")
    monkeypatch.setenv("FAKE_YTDLP_FAIL_AFTER", "0")

    with pytest.raises(DownloadError, match="Unsupported URL") as failed:
        get(PAGE, tmp_path)

    assert not failed.value.retryable
    assert not (tmp_path / FINAL).exists()


def test_a_full_disk_under_yt_dlp_leaves_no_partial_file(yt_dlp_program, tmp_path, monkeypatch):
    monkeypatch.setenv(
        "FAKE_YTDLP_ERROR", "unable to write data: [Errno 28] No space left on device"
    )
    monkeypatch.setenv("FAKE_YTDLP_FAIL_AFTER", "40000")

    show = tmp_path / "show"
    show.mkdir()

    with pytest.raises(DownloadError, match="is full") as failed:
        get(PAGE, show)

    assert not failed.value.retryable
    assert list(show.iterdir()) == []


def test_a_wrong_checksum_after_yt_dlp_discards_the_file(yt_dlp_program, tmp_path):
    wrong = hashlib.sha256(b"other").hexdigest()

    with pytest.raises(DownloadError, match=wrong):
        get(PAGE, tmp_path, expected_sha256=wrong)

    assert list(tmp_path.glob("*.mp4")) == [] and not (tmp_path / PART).exists()


def test_stop_ends_yt_dlp_and_keeps_the_part(yt_dlp_program, tmp_path, monkeypatch):
    data, _ = yt_dlp_program
    monkeypatch.setenv("FAKE_YTDLP_DELAY", "0.2")

    with pytest.raises(DownloadStopped):
        get(PAGE, tmp_path, Recorder(stop_after=2))

    kept = (tmp_path / PART).read_bytes()
    assert 0 < len(kept) < len(data) and data.startswith(kept)
    assert not (tmp_path / FINAL).exists()
    time.sleep(0.5)  # yt-dlp was ended, not left running: the part file stops growing
    assert (tmp_path / PART).stat().st_size == len(kept)
    monkeypatch.delenv("FAKE_YTDLP_DELAY")
    assert get(PAGE, tmp_path).read_bytes() == data  # --continue picks it up


def test_without_yt_dlp_the_source_says_it_is_not_installed(no_yt_dlp, tmp_path):
    with pytest.raises(DownloadError, match="yt-dlp is not installed") as failed:
        get(PAGE, tmp_path)
    assert not failed.value.retryable


def test_yt_dlp_source_refuses_names_outside_the_folder(yt_dlp_program, tmp_path):
    with pytest.raises(DownloadError, match="plain file name"):
        YtDlpSource().download(
            DownloadRequest(
                PAGE, tmp_path, "../x.mp4", PART, on_progress=Recorder(), should_stop=lambda: False
            )
        )
    assert not yt_dlp_program[1].exists()


KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30


@pytest.mark.parametrize(
    ("line", "percent", "total", "speed", "eta"),
    [
        ("[download]  45.3% of   10.00MiB at    1.50MiB/s ETA 00:05", 45.3, 10 * MIB,
         1.5 * MIB, 5),
        ("[download]   2.0% of ~  1.20GiB at  Unknown B/s ETA Unknown", 2.0, int(1.2 * GIB),
         None, None),
        ("[download] 100% of  512.00KiB in 00:00:01 at 401.23KiB/s", 100.0, 512 * KIB,
         401.23 * KIB, None),
        ("[download]  12.0% of 700.00MiB at 3.00MiB/s ETA 01:02:03 (frag 3/40)", 12.0,
         700 * MIB, 3 * MIB, 3723),
    ],
)  # fmt: skip
def test_yt_dlp_progress_lines_are_read(line, percent, total, speed, eta):
    progress = ytdlp.parse_line(line)
    assert progress is not None
    assert (progress.percent, progress.total, progress.eta_seconds) == (percent, total, eta)
    assert progress.speed_bps == (pytest.approx(speed) if speed else None)


@pytest.mark.parametrize(
    "line",
    ["[download] Destination: /x/.part", "[youtube] abc: Downloading webpage", "", "ERROR: x"],
)
def test_other_yt_dlp_lines_are_not_progress(line):
    assert ytdlp.parse_line(line) is None


def test_a_yt_dlp_that_cannot_be_started_is_a_clear_error(yt_dlp_program, tmp_path):
    # On PATH and executable, but its interpreter is missing: exec fails.
    Path(shutil.which("yt-dlp")).write_text("#!/nonexistent/interpreter\n")

    with pytest.raises(DownloadError, match="yt-dlp could not be started"):
        get(PAGE, tmp_path)
