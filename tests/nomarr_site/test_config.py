"""The settings store over /api/web/config."""

from __future__ import annotations

import pytest

from library.models import Library

pytestmark = pytest.mark.django_db


def test_config_lists_defaults(token_holder, tmdb_key_setting):
    body = token_holder.get("/api/web/config").json()
    assert body["namespace"] == "nom"
    assert body["file_write_mode"] == "full"
    assert body["library_auto_tag"] is True
    assert body["tmdb_api_key"] is False  # secrets are never returned


def test_setting_a_value_persists_it(token_holder):
    response = token_holder.post(
        "/api/web/config", {"key": "library_auto_tag", "value": "false"}, format="json"
    )
    assert response.json() == {"success": True, "message": "Configuration updated successfully"}
    assert token_holder.get("/api/web/config").json()["library_auto_tag"] is False


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("no_such_key", "x"),
        ("file_write_mode", "everything"),
        ("namespace", "has space"),
        ("scheduler_interval_minutes", 10**9),
        ("models_dir", "relative/path"),
        ("scheduler_time", "25:00"),
    ],
)
def test_unknown_keys_and_bad_values_are_400(token_holder, key, value):
    response = token_holder.post("/api/web/config", {"key": key, "value": value}, format="json")
    assert response.status_code == 400
    assert key in response.json()["message"]


def test_environment_override_wins(token_holder, monkeypatch):
    monkeypatch.setenv("NOMARR_NAMESPACE", "envns")
    token_holder.post("/api/web/config", {"key": "namespace", "value": "dbns"}, format="json")
    assert token_holder.get("/api/web/config").json()["namespace"] == "envns"


def test_strict_environment_parsing_names_the_variable(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from nomarr_site import env

    monkeypatch.setenv("NOMARR_PORT", "eighty")
    with pytest.raises(ImproperlyConfigured, match="NOMARR_PORT"):
        env.get_int("NOMARR_PORT", 8356)
    monkeypatch.setenv("NOMARR_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="NOMARR_DEBUG"):
        env.get_bool("NOMARR_DEBUG", False)
    monkeypatch.setenv("DATABASE_URL", "mysql://x/y")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.get_database("DATABASE_URL", "/tmp/x.sqlite3")
    monkeypatch.setenv("REDIS_URL", "http://nope")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.get_redis_url("REDIS_URL")
    monkeypatch.setenv("NOMARR_TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="NOMARR_TIME_ZONE"):
        env.get_time_zone("NOMARR_TIME_ZONE", "UTC")


def test_a_list_setting_reads_its_environment_override_as_a_comma_list(monkeypatch):
    from nomarr_site import config

    monkeypatch.setenv("NOMARR_SCHEDULER_DAYS", "fri, mon,,")
    assert config.get("scheduler_days") == ["mon", "fri"]
    assert "scheduler_days" in config.overridden_keys()


def test_a_bad_environment_override_is_ignored_and_reported(monkeypatch):
    from nomarr_site import config

    monkeypatch.setenv("NOMARR_SCHEDULER_DAYS", "someday")
    monkeypatch.setenv("NOMARR_BACKUP_KEEP_DAYS", "forever")
    assert config.get("scheduler_days") == list(config.DAYS)
    assert config.get("backup_keep_days") == 30
    problems = config.overridden_problems()
    assert len(problems) == 2
    assert any(line.startswith("NOMARR_SCHEDULER_DAYS:") for line in problems)
    assert any(line.startswith("NOMARR_BACKUP_KEEP_DAYS:") for line in problems)


def test_set_many_saves_nothing_when_one_value_is_invalid():
    from nomarr_site import config

    with pytest.raises(config.InvalidConfig) as raised:
        config.set_many({"namespace": "fine", "backup_keep_days": -1, "nope": 1})
    assert set(raised.value.errors) == {"backup_keep_days", "nope"}
    assert config.get("namespace") == "nom"


def test_set_many_with_reset_returns_other_settings_to_defaults_but_keeps_secrets(tmdb_key_setting):
    from nomarr_site import config

    config.set_many({"namespace": "one", "file_write_mode": "none", "tmdb_api_key": "k"})
    config.set_many({"namespace": "two"}, reset_others=True)
    assert config.get("namespace") == "two"
    assert config.get("file_write_mode") == "full"
    assert config.get("tmdb_api_key") == "k"


def test_stored_values_leave_out_secrets_and_defaults(tmdb_key_setting):
    from nomarr_site import config

    config.set_many({"namespace": "abc", "tmdb_api_key": "secret"})
    assert config.stored_values() == {"namespace": "abc"}
    assert config.stored_values(include_secrets=True)["tmdb_api_key"] == "secret"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("backup_enabled", "sometimes"),
        ("backup_keep_days", 3651),
        ("backup_keep_days", float("inf")),
        ("log_backup_count", 101),
        ("log_backup_count", "3.5"),
        ("models_dir", "/models\x00/x"),
    ],
)
def test_new_settings_validate_their_values(key, value):
    from nomarr_site import config

    with pytest.raises(config.InvalidSetting, match=key):
        config.validate(key, value)


def test_an_error_message_lists_at_most_ten_problems():
    from nomarr_site import config

    error = config.InvalidConfig({f"key{n}": "bad" for n in range(25)})
    assert "and 15 more" in str(error)
    assert len(error.messages()) == 25


def test_a_bad_environment_override_is_a_startup_warning(monkeypatch):
    from django.core import checks

    monkeypatch.setenv("NOMARR_FILE_WRITE_MODE", "sometimes")
    messages = [m for m in checks.run_checks() if m.id == "nomarr.W001"]
    assert len(messages) == 1
    assert "NOMARR_FILE_WRITE_MODE" in messages[0].msg


@pytest.mark.parametrize("value", ["nöm", "ｎｏｍ", "nom١", "tag\u00a0x", "ℕom"])
def test_a_namespace_outside_ascii_is_400(token_holder, value):
    response = token_holder.post(
        "/api/web/config", {"key": "namespace", "value": value}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR" and "ASCII" in body["message"]
    assert token_holder.get("/api/web/config").json()["namespace"] == "nom"


def test_an_ascii_namespace_with_digits_dash_and_underscore_is_saved(token_holder):
    response = token_holder.post(
        "/api/web/config", {"key": "namespace", "value": "My_tags-2"}, format="json"
    )
    assert response.status_code == 200
    assert token_holder.get("/api/web/config").json()["namespace"] == "My_tags-2"


@pytest.mark.parametrize("value", ["１２:００", "١٢:٠٠", "²:00", "12:٠٠", "1٢:00"])
def test_a_time_with_other_than_ascii_digits_is_400(token_holder, value):
    response = token_holder.post(
        "/api/web/config", {"key": "scheduler_time", "value": value}, format="json"
    )
    assert response.status_code == 400
    assert "scheduler_time: expected HH:MM" in response.json()["message"]


@pytest.mark.parametrize(("value", "saved"), [("07:30", "07:30"), ("7:05", "07:05")])
def test_an_ascii_time_is_saved(token_holder, value, saved):
    response = token_holder.post(
        "/api/web/config", {"key": "scheduler_time", "value": value}, format="json"
    )
    assert response.status_code == 200
    assert token_holder.get("/api/web/config").json()["scheduler_time"] == saved


def test_a_bad_namespace_in_the_environment_stops_start_up_naming_it(monkeypatch):
    from django.core import checks
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    monkeypatch.setenv("NOMARR_NAMESPACE", "nöm")
    errors = [m for m in checks.run_checks() if m.id == "nomarr.E008"]
    assert len(errors) == 1 and errors[0].is_serious()
    assert errors[0].msg.startswith("NOMARR_NAMESPACE:") and "'nöm'" in errors[0].msg
    with pytest.raises(SystemCheckError, match="NOMARR_NAMESPACE"):
        call_command("check")
    monkeypatch.setenv("NOMARR_NAMESPACE", "envns")
    assert not [m for m in checks.run_checks() if m.id == "nomarr.E008"]


def test_a_models_folder_that_does_not_exist_is_400(token_holder, tmp_path):
    missing = tmp_path / "no-models"
    response = token_holder.post(
        "/api/web/config", {"key": "models_dir", "value": str(missing)}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert body["message"] == f"models_dir: {missing} does not exist"
    assert token_holder.get("/api/web/config").json()["models_dir"] != str(missing)


def test_a_models_folder_that_is_a_file_or_unreadable_is_400(token_holder, tmp_path, monkeypatch):
    a_file = tmp_path / "models.txt"
    a_file.write_text("x")
    post = {"key": "models_dir", "value": str(a_file)}
    response = token_holder.post("/api/web/config", post, format="json")
    assert response.status_code == 400 and "is not a directory" in response.json()["message"]
    from nomarr_site import config

    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.setattr(config.os, "access", lambda path, mode: False)  # root reads anything
    post = {"key": "models_dir", "value": str(folder)}
    response = token_holder.post("/api/web/config", post, format="json")
    assert response.status_code == 400 and "cannot be read" in response.json()["message"]


def test_an_existing_models_folder_is_saved(token_holder, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    response = token_holder.post(
        "/api/web/config", {"key": "models_dir", "value": str(folder)}, format="json"
    )
    assert response.status_code == 200
    assert token_holder.get("/api/web/config").json()["models_dir"] == str(folder)


def test_an_import_library_id_naming_no_library_is_400_naming_the_key(token_holder, tmp_path):
    body = {"key": "import_music_library", "value": 999}
    response = token_holder.post("/api/web/config", body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "VALIDATION_ERROR"
    assert error["message"] == "import_music_library: library 999 is not an enabled music library"
    assert token_holder.get("/api/web/config").json()["import_music_library"] == 0
    music = Library.objects.create(name="Music", root_path=str(tmp_path))
    body["value"] = music.pk
    assert token_holder.post("/api/web/config", body, format="json").status_code == 200
    assert token_holder.get("/api/web/config").json()["import_music_library"] == music.pk
