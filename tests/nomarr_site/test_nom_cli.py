"""The real `nom` console script in a subprocess, as a user runs it: from another folder than
the project's, without a terminal. A user's mistake gets one line and exit status 1, never a
traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.audio import make_audio
from tests.support.server import REPO, base_env

pytestmark = pytest.mark.timeout(180)

NOM = Path(sys.executable).with_name("nom")


def nom(*args: str, data_dir: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`nom ARGS` run from `cwd` with this checkout's code, stdin not a terminal."""
    environment = {**base_env(data_dir), "PYTHONPATH": str(REPO), **env}
    command = [str(NOM)] if NOM.exists() else [sys.executable, "-m", "nomarr_site.cli"]
    return subprocess.run(
        [*command, *args],
        env=environment,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def python(code: str, data_dir: Path) -> subprocess.CompletedProcess:
    """`code` run after django.setup() with the same environment as `nom`."""
    environment = {**base_env(data_dir), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environment,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A data dir whose database the server has created (`nom migrate`, as `serve` does)."""
    data_dir = tmp_path_factory.mktemp("nomarr") / "data"
    done = nom("migrate", "-v", "0", data_dir=data_dir, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return data_dir


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_nom_list_from_another_folder_with_no_database_says_how_to_point_it(tmp_path, elsewhere):
    empty = tmp_path / "not-the-server"
    done = nom("list", data_dir=empty, cwd=elsewhere)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"No Nomarr database in {empty}" in lines[0]
    assert "NOMARR_DATA_DIR" in lines[0]
    assert not (empty / "nomarr.sqlite3").exists()  # a mistake creates no empty database


def test_nom_list_with_a_relative_data_dir_from_another_folder_says_where_it_looked(elsewhere):
    # The server was started with NOMARR_DATA_DIR=data in its folder; `nom` runs elsewhere.
    done = nom("list", data_dir=Path("data"), cwd=elsewhere)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"No Nomarr database in {elsewhere / 'data'}" in done.stderr


def test_nom_list_with_the_servers_data_dir_works_from_any_folder(migrated, elsewhere):
    done = nom("list", data_dir=migrated, cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert "job(s) shown" in done.stdout


def test_nom_remove_all_without_a_terminal_asks_for_yes(migrated, elsewhere):
    done = nom("remove", "--all", data_dir=migrated, cwd=elsewhere)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "--yes" in done.stderr
    done = nom("remove", "--all", "--yes", data_dir=migrated, cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert "Removed 0 job(s)." in done.stdout


def test_a_bad_setting_is_one_line_not_a_traceback(migrated, elsewhere):
    done = nom("list", data_dir=migrated, cwd=elsewhere, NOMARR_PORT="eighty")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "NOMARR_PORT" in lines[0]


def test_a_weak_admin_password_in_the_environment_is_one_line_naming_it(migrated, elsewhere):
    done = nom(
        "serve", "--no-migrate", data_dir=migrated, cwd=elsewhere, NOMARR_ADMIN_PASSWORD="weakpass"
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "NOMARR_ADMIN_PASSWORD" in last
    assert "upper-case" in last


def test_nom_run_queue_and_show_tags_print_a_non_utf8_file_name_escaped(migrated, tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    good = make_audio(root / "good.flac", seconds=1.0)
    bad = root / os.fsdecode(b"bad\xff.flac")
    shutil.copy2(good, bad)
    create = "from library.models import Library; Library.objects.create(name='M', root_path={!r})"
    library = python(create.format(str(root)), data_dir=migrated)
    assert library.returncode == 0, library.stderr
    done = nom("run", "--queue", str(bad), str(good), data_dir=migrated, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"refused {root}/bad\\xff.flac: The file name is not valid UTF-8" in done.stderr
    assert "Queued 1 job" in done.stdout
    done = nom("show-tags", str(bad), data_dir=migrated, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{root}/bad\\xff.flac  (")


def test_nom_help_lists_nomarrs_commands_as_they_are_typed_and_keeps_djangos_behind_all(
    tmp_path, elsewhere
):
    shown = nom("--help", data_dir=tmp_path / "data", cwd=elsewhere)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    commands = {line.split()[0]: line for line in lines if line.startswith("  ")}
    assert {"serve", "run", "show-tags", "manage-key", "manage-password", "models"} <= set(commands)
    assert "Show a file's tags" in commands["show-tags"]
    assert "migrate" not in commands and "createsuperuser" not in shown.stdout.split("(")[0]
    assert "nom help --all" in shown.stdout
    everything = nom("help", "--all", data_dir=tmp_path / "data", cwd=elsewhere)
    assert everything.returncode == 0
    assert "migrate" in everything.stdout and "show_tags" in everything.stdout
    # Each command is typed as listed.
    typed = nom("show-tags", "--help", data_dir=tmp_path / "data", cwd=elsewhere)
    assert typed.returncode == 0 and "FILE" in typed.stdout.upper()
