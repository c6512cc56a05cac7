"""The data dir is the owner's alone: the folder 0700, the database with its WAL and SHM files,
the secret key, the backups and the model manifest 0600, for new and existing installations."""

from __future__ import annotations

import os
import stat

import pytest

from nomarr_site import private_files


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def loose_umask():
    previous = os.umask(0o022)  # what most systems run with: new files 0644, folders 0755
    yield
    os.umask(previous)


def test_a_new_data_dir_is_created_owner_only(tmp_path, monkeypatch, loose_umask):
    from nomarr_site import env

    monkeypatch.setenv("NOMARR_DATA_DIR", str(tmp_path / "fresh"))
    created = env.data_dir(tmp_path)
    assert mode(created) == 0o700
    env.secret_key(created)
    assert mode(created / "secret_key") == 0o600


def test_start_up_tightens_an_existing_installation(tmp_path, settings, loose_umask):
    data = tmp_path / "data"
    (data / "backups").mkdir(parents=True)
    data.chmod(0o755)
    (data / "backups").chmod(0o755)
    own = ["secret_key", "nomarr.sqlite3", "nomarr.sqlite3-wal", "nomarr.sqlite3-shm"]
    for name in [*own, "backups/config_backup_1.json"]:
        (data / name).write_text("x")
        (data / name).chmod(0o644)
    elsewhere = tmp_path / "db" / "custom.sqlite3"
    elsewhere.parent.mkdir()
    elsewhere.write_text("x")
    elsewhere.chmod(0o664)
    (data / "notes.sh").write_text("x")
    (data / "notes.sh").chmod(0o755)  # not Nomarr's: left as it is
    settings.DATA_DIR = data

    private_files.secure_at_startup()
    private_files.secure_data_dir(data, (elsewhere,))  # a DATABASE_URL=sqlite:///… elsewhere

    assert mode(data) == 0o700
    assert mode(data / "backups") == 0o700
    for name in [*own, "backups/config_backup_1.json"]:
        assert mode(data / name) == 0o600, name
    assert mode(elsewhere) == 0o600
    assert mode(data / "notes.sh") == 0o755


def test_permissions_are_only_ever_removed(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("x")
    secret.chmod(0o400)
    private_files.restrict(secret, private_files.FILE_MODE)
    assert mode(secret) == 0o400


def test_a_symlink_in_the_data_dir_is_not_followed(tmp_path):
    target = tmp_path / "shared.txt"
    target.write_text("x")
    target.chmod(0o644)
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").symlink_to(target)
    private_files.secure_data_dir(data)
    assert mode(target) == 0o644


def test_sqlite_creates_its_database_and_wal_files_owner_only(tmp_path, loose_umask, db):
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    private_files.secure_at_startup()  # as the app does when it starts
    name = tmp_path / "new.sqlite3"
    # A SQLite file in WAL mode as Nomarr runs it, whatever database the suite runs on.
    sqlite = {
        **connection.settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(name),
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
    }
    wrapper = DatabaseWrapper(sqlite, alias="private")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")
            cursor.execute("INSERT INTO t VALUES (1)")
        files = [p for p in tmp_path.iterdir() if p.name.startswith("new.sqlite3")]
        assert {p.name for p in files} >= {"new.sqlite3", "new.sqlite3-wal", "new.sqlite3-shm"}
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        wrapper.close()


def test_backups_are_written_owner_only(db, settings, tmp_path, loose_umask):
    from nomarr_site import backups

    settings.DATA_DIR = tmp_path
    name = backups.create_backup()
    assert mode(tmp_path / "backups") == 0o700
    assert mode(tmp_path / "backups" / name) == 0o600


def test_the_model_manifest_is_written_owner_only(tmp_path, loose_umask):
    from library.tagging import fetch

    fetch._record(tmp_path, "heads/mood_happy.pb", "0" * 64, 10)
    assert mode(tmp_path / fetch.MANIFEST) == 0o600
