"""Scanning the series library: show folders become series, files become present episodes,
TMDB's aired episodes without a file become missing ones; the scan job reports progress."""

from __future__ import annotations

import logging
import os

import pytest

from jobs.models import Job
from jobs.transport import work_one
from library.downloads import queue_state
from library.models import DownloadItem, Episode, Series
from library.series.episodes import missing_by_season, scan_series
from library.series.scan import episode_files, sync_folders
from library.series.scan_job import queue_series_scan
from media_meta.tmdb import TmdbClient
from nomarr_site import config

pytestmark = pytest.mark.django_db


def codes(series: Series, present: bool) -> list[str]:
    return [e.code for e in series.episodes.filter(is_present=present)]


def test_syncing_creates_one_series_per_visible_show_folder(series_dir):
    assert sync_folders(series_dir) == 2
    titan = Series.objects.get(tmdb_id=1429)
    assert (titan.key, titan.name, titan.year) == ("attack-on-titan", "Attack on Titan", 2013)
    assert titan.folder == "Attack on Titan (2013) [tmdbid-1429]"
    assert titan.link == "https://www.themoviedb.org/tv/1429"
    assert Series.objects.get(folder="Other Show").tmdb_id is None
    assert sync_folders(series_dir) == 2 and Series.objects.count() == 2


def test_a_link_leading_out_of_the_directory_is_not_a_show(series_dir, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, series_dir / "Escape")
    assert sync_folders(series_dir) == 2


def test_missing_episodes_are_the_aired_ones_without_a_file(series_dir, tmdb):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    result = scan_series(titan, series_dir, TmdbClient.from_settings())
    # Season 2 episode 2 has not aired; specials count only when present.
    assert result.missing == ["1-2", "2-1"]
    assert result.present == 3 and result.problem == ""
    assert codes(titan, True) == ["0-1", "1-1", "1-3"]
    assert missing_by_season(titan.episodes.all()) == {"1": [2], "2": [1]}
    first = titan.episodes.get(season=1, number=1)
    assert first.title == "To You, in 2000 Years" and first.path.endswith("S01E01 - To You.mkv")
    titan.refresh_from_db()
    assert titan.description.startswith("Several hundred years")


def test_a_new_file_turns_a_missing_episode_present_on_the_next_scan(series_dir, tmdb):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    scan_series(titan, series_dir, TmdbClient.from_settings())
    (series_dir / titan.folder / "Season 02").mkdir()
    (series_dir / titan.folder / "Season 02" / "E01.mkv").write_bytes(b"v")
    assert scan_series(titan, series_dir, TmdbClient.from_settings()).missing == ["1-2"]


def test_absolute_numbers_follow_the_providers_season_order(series_dir, tmdb):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    folder = series_dir / titan.folder
    (folder / "[Group] Attack on Titan - 02 [1080p].mkv").write_bytes(b"v")
    (folder / "[Group] Attack on Titan - 04 [1080p].mkv").write_bytes(b"v")
    assert scan_series(titan, series_dir, TmdbClient.from_settings()).missing == []


def test_without_provider_data_the_known_rows_stay_and_presence_changes(series_dir, tmdb):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    scan_series(titan, series_dir, TmdbClient.from_settings())
    os.remove(series_dir / titan.folder / "Season 01" / "Attack on Titan - S01E03.mkv")
    result = scan_series(titan, series_dir, None)
    assert result.missing == ["1-2", "1-3", "2-1"]
    assert "no TMDB API key" in result.problem


def test_an_unlinked_series_lists_its_files_and_no_missing_episodes(series_dir):
    sync_folders(series_dir)
    other = Series.objects.get(folder="Other Show")
    result = scan_series(other, series_dir, None)
    assert (result.present, result.missing) == (1, [])
    assert "not linked to TMDB" in result.problem


def test_tmdb_down_keeps_the_scan_going_with_the_reason(series_dir, tmdb, monkeypatch):
    from media_meta import tmdb as tmdb_module

    monkeypatch.setattr(tmdb_module, "_sleep", lambda _s: None)
    sync_folders(series_dir)
    tmdb.script.extend([(500, {}, {"status_message": "down"})] * tmdb_module.ATTEMPTS)
    titan = Series.objects.get(tmdb_id=1429)
    result = scan_series(titan, series_dir, TmdbClient.from_settings())
    assert result.present == 3 and "TMDB answered 500" in result.problem


def test_files_in_extras_and_hidden_folders_are_not_episodes(series_dir):
    folder = series_dir / "Other Show"
    (folder / "Extras").mkdir()
    (folder / "Extras" / "Other Show 1x05.mkv").write_bytes(b"v")
    (folder / ".trash").mkdir()
    (folder / ".trash" / "Other Show 1x06.mkv").write_bytes(b"v")
    (folder / "Other Show - Trailer.mkv").write_bytes(b"v")
    files = episode_files(folder)
    assert list(files.numbered) == [(1, 1)]
    assert files.unrecognised == ["Other Show - Trailer.mkv"]


def test_the_scan_job_syncs_scans_and_reports_to_the_library_room(series_dir, tmdb, events):
    job = queue_series_scan()
    assert job.subject is None
    assert work_one() >= 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    assert job.result["series"] == 2 and job.result["missing"] == 2
    assert job.result["problems"] == [{"key": "other-show", "reason": "not linked to TMDB; "
                                       "missing episodes are not known"}]  # fmt: skip
    kinds = [kind for _room, kind, _data in events]
    assert kinds[0] == "scan.progress" and kinds[-1] == "scan.complete"
    complete = events[-1][2]
    assert (complete["scope"], complete["series"], complete["missing"]) == ("series", 2, 2)
    assert Episode.objects.filter(is_present=False).count() == 2


def test_a_scan_of_one_series_names_it_as_its_subject(series_dir):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    job = queue_series_scan([titan])
    assert str(job.subject) == f"library.series:{titan.pk}"
    assert queue_series_scan([titan]).pk == job.pk  # the same scan is not queued twice


def test_the_scan_job_fails_clearly_when_the_directory_is_gone(series_dir):
    job = queue_series_scan()
    config.set_value("series_directory", str(series_dir / "gone"))
    work_one()
    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert "does not exist" in job.error_message


def test_two_shows_of_one_name_get_keys_told_apart_by_year(tmp_path, db):
    root = tmp_path / "series"
    for folder in ("Doctor Who (1963)", "Doctor Who (2005)", "Show: Colon"):
        (root / folder).mkdir(parents=True)
    assert sync_folders(root) == 3
    keys = sorted(Series.objects.values_list("key", flat=True))
    assert keys == ["doctor-who", "doctor-who-2005", "show-colon"]


def test_without_provider_data_a_removed_special_is_forgotten_not_missing(series_dir, tmdb):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    scan_series(titan, series_dir, TmdbClient.from_settings())
    os.remove(series_dir / titan.folder / "Specials" / "Attack on Titan - S00E01.mkv")
    result = scan_series(titan, series_dir, None)
    assert result.missing == ["1-2", "2-1"]
    assert not titan.episodes.filter(season=0).exists()


def test_a_scan_asked_with_then_download_queues_the_missing_episodes_that_have_a_source(
    series_dir, tmdb
):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    titan.download_source = "https://media.example/titan/s{season:02d}e{episode:02d}.mkv"
    titan.save()
    queue_state.stop()  # the worker below runs the scans only, not the downloads they queue
    job = queue_series_scan(then_download=True)
    assert work_one() >= 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    missing = sorted(
        (e.season, e.number) for e in Episode.objects.filter(series=titan, is_present=False)
    )
    assert job.result["downloads_queued"] == len(missing) == 2
    queued = DownloadItem.objects.filter(series=titan).order_by("season", "episode")
    assert [(item.season, item.episode) for item in queued] == missing
    assert queued[0].source_url.startswith("https://media.example/titan/s")
    # The other show has no source: nothing of it is queued, and a second scan adds nothing.
    assert not DownloadItem.objects.exclude(series=titan).exists()
    again = queue_series_scan(then_download=True)
    work_one()
    again.refresh_from_db()
    assert again.result["downloads_queued"] == 0
    assert {item.job.status for item in queued} == {Job.Status.PENDING}


def test_a_scan_without_then_download_queues_no_download(series_dir, tmdb):
    sync_folders(series_dir)
    Series.objects.filter(tmdb_id=1429).update(download_source="https://media.example/{episode}")
    queue_state.stop()
    queue_series_scan()
    work_one()
    assert not DownloadItem.objects.exists()


def refuse_realpath(monkeypatch, name: str) -> None:
    """Make resolving any path ending in `name` fail as a permission error does: running as
    root, chmod cannot lock a folder, so the error the scan meets is simulated where it calls."""
    real = os.path.realpath

    def realpath(path, *args, **kwargs):
        if os.fspath(path).endswith(os.sep + name):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os.path, "realpath", realpath)


def skip_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING and "Skipping" in r.message]


def test_an_unreadable_show_folder_is_skipped_and_the_others_are_synced(
    series_dir, monkeypatch, caplog
):
    (series_dir / "Locked Show").mkdir()
    refuse_realpath(monkeypatch, "Locked Show")
    assert sync_folders(series_dir) == 2
    assert not Series.objects.filter(folder="Locked Show").exists()
    [warning] = skip_warnings(caplog)
    assert "Locked Show" in warning.message and warning.exc_info is None


def test_an_unreadable_season_folder_is_skipped_and_the_other_episodes_are_found(
    series_dir, monkeypatch, caplog
):
    folder = series_dir / "Other Show"
    (folder / "Season 02").mkdir()
    (folder / "Season 02" / "Other Show 2x01.mkv").write_bytes(b"v")
    (folder / "Season 03").mkdir()
    (folder / "Season 03" / "Other Show 3x01.mkv").write_bytes(b"v")
    refuse_realpath(monkeypatch, "Season 02")
    assert sorted(episode_files(folder).numbered) == [(1, 1), (3, 1)]
    [warning] = skip_warnings(caplog)
    assert "Season 02" in warning.message and warning.exc_info is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder whatever its mode")
def test_a_link_into_a_locked_folder_is_skipped_and_the_other_episodes_are_found(series_dir):
    folder = series_dir / "Other Show"
    locked = folder / "locked"
    (locked / "inner").mkdir(parents=True)
    os.symlink(locked / "inner", folder / "Season 02")  # following it needs the locked folder
    locked.chmod(0)
    try:
        assert list(episode_files(folder).numbered) == [(1, 1)]
        assert sync_folders(series_dir) == 2
    finally:
        locked.chmod(0o755)


def test_the_scan_job_scans_the_other_series_when_one_folder_cannot_be_read(
    series_dir, monkeypatch
):
    (series_dir / "Other Show" / "Season 02").mkdir()
    refuse_realpath(monkeypatch, "Season 02")
    job = queue_series_scan()
    work_one()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    assert (job.result["series"], job.result["present"]) == (2, 4)  # 3 of Titan, 1 other


def test_a_show_folder_gone_missing_keeps_its_episodes_present_and_says_why(series_dir, tmdb):
    """An unmounted share leaves an empty mount point: its files are not gone, and taking
    them for missing would download every episode again."""
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    scan_series(titan, series_dir, TmdbClient.from_settings())
    folder = series_dir / titan.folder
    folder.rename(series_dir / "elsewhere")

    result = scan_series(titan, series_dir, TmdbClient.from_settings())

    assert codes(titan, True) == ["0-1", "1-1", "1-3"]
    assert result.missing == ["1-2", "2-1"]  # the ones missing before, as before
    assert result.problem == (
        f"{folder} could not be read; episodes found there before are still counted as present"
    )


def test_an_unreadable_season_folder_keeps_its_episodes_present(series_dir, tmdb, monkeypatch):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    scan_series(titan, series_dir, TmdbClient.from_settings())
    refuse_realpath(monkeypatch, "Season 01")

    result = scan_series(titan, series_dir, TmdbClient.from_settings())

    assert codes(titan, True) == ["0-1", "1-1", "1-3"]
    assert "Season 01 could not be read" in result.problem


def test_a_scan_with_then_download_queues_nothing_for_an_unreadable_folder(
    series_dir, tmdb, monkeypatch
):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    titan.download_source = "https://media.example/titan/s{season:02d}e{episode:02d}.mkv"
    titan.save()
    scan_series(titan, series_dir, TmdbClient.from_settings())
    refuse_realpath(monkeypatch, "Season 01")
    queue_state.stop()
    job = queue_series_scan(then_download=True)
    work_one()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    # Only the two episodes missing all along; none of those the unreadable folder holds.
    queued = DownloadItem.objects.filter(series=titan).order_by("season", "episode")
    assert [(item.season, item.episode) for item in queued] == [(1, 2), (2, 1)]
    [problem] = [p for p in job.result["problems"] if p["key"] == titan.key]
    assert "could not be read" in problem["reason"]


def test_a_folder_emptied_for_real_turns_its_episodes_missing(series_dir, tmdb):
    sync_folders(series_dir)
    titan = Series.objects.get(tmdb_id=1429)
    scan_series(titan, series_dir, TmdbClient.from_settings())
    for path in (series_dir / titan.folder).rglob("*.mkv"):
        path.unlink()

    result = scan_series(titan, series_dir, TmdbClient.from_settings())

    assert codes(titan, True) == []
    assert result.missing == ["1-1", "1-2", "1-3", "2-1"] and result.problem == ""
