"""`nom run` (in-process and --queue) and `nom show-tags`."""

from __future__ import annotations

import os
import shutil

import pytest
from django.core.management import CommandError, call_command

from jobs.models import Job

pytestmark = pytest.mark.django_db


def test_run_tags_a_folder_in_process_and_reports_each_file(music, capsys):
    call_command("run", str(music["album"]), "--recursive")
    out = capsys.readouterr().out
    assert out.count(" tagged ") == 5
    assert "5 of 5 files done, 0 failed" in out
    call_command("run", str(music["files"]["flac"]))
    assert " skipped " in capsys.readouterr().out


def test_run_fails_with_the_count_when_a_file_is_bad(music, capsys):
    bad = music["album"] / "broken.mp3"
    bad.write_bytes(b"ID3" + b"\0" * 20)
    with pytest.raises(CommandError, match="1 file"):
        call_command("run", str(music["album"]))
    captured = capsys.readouterr()
    assert "FAILED" in captured.err and "broken.mp3" in captured.err


def test_run_refuses_paths_outside_the_libraries(music):
    with pytest.raises(CommandError, match="outside"):
        call_command("run", "/etc")


def test_run_without_models_says_how_to_get_them(music, tmp_path):
    from nomarr_site import config

    config.set_value("models_dir", str(tmp_path / "none"))
    with pytest.raises(CommandError, match="nom models fetch"):
        call_command("run", str(music["album"]))


def test_run_queue_hands_files_to_the_workers(music, capsys):
    call_command("run", str(music["files"]["mp3"]), "--queue")
    assert "Queued 1 job" in capsys.readouterr().out
    assert Job.objects.filter(kind="tag").count() == 1


def test_show_tags_prints_namespace_tags(music, capsys):
    from library.tagfiles.writer import write_tags

    write_tags(music["files"]["m4a"], {"nom:mood_happy": ["0.75"]}, "nom")
    call_command("show_tags", str(music["files"]["m4a"]))
    out = capsys.readouterr().out
    assert "nom:mood_happy = 0.75" in out and "Song m4a" in out
    with pytest.raises(CommandError):
        call_command("show_tags", str(music["album"] / "missing.mp3"))


def test_run_skips_a_file_whose_name_is_not_utf8_with_the_scanners_reason(music, capsys):
    bad = music["album"] / os.fsdecode(b"bad\xff.mp3")
    shutil.copy2(music["files"]["mp3"], bad)
    with pytest.raises(CommandError, match="1 file"):
        call_command("run", str(music["root"]), "--recursive")
    captured = capsys.readouterr()
    assert "5 of 6 files done, 1 failed" in captured.out
    reason = "The file name is not valid UTF-8; rename the file so Nomarr can use it."
    assert f"FAILED {music['album']}/bad\\xff.mp3: {reason}" in captured.err
    assert captured.out.count(" tagged ") == 5


def test_run_queue_refuses_a_file_whose_name_is_not_utf8_and_queues_the_rest(music, capsys):
    bad = music["album"] / os.fsdecode(b"bad\xff.mp3")
    shutil.copy2(music["files"]["mp3"], bad)
    call_command("run", str(bad), str(music["files"]["flac"]), "--queue")
    captured = capsys.readouterr()
    assert "Queued 1 job" in captured.out
    assert "refused" in captured.err and "bad\\xff.mp3: The file name is not valid UTF-8" in (
        captured.err
    )
    assert Job.objects.filter(kind="tag").count() == 1
