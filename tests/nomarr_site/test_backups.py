"""Configuration backups: create, list, restore and delete over /api/config/backups, names that
try to leave the backup folder, corrupt files, secrets and retention."""

from __future__ import annotations

import json
import os
import time
from urllib.parse import urlencode

import pytest

from nomarr_site import backups, config

pytestmark = pytest.mark.django_db

ESCAPES = ["../x", "/etc/passwd", "..\\x", "%2e%2e/x", "a\x00b", "..", ".hidden", "a/b.json"]


@pytest.fixture(autouse=True)
def backup_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR / "backups"


def create_named(client, name: str):
    return client.post("/api/config/backups?" + urlencode({"name": name}))


def write_backup(folder, name: str, payload) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = payload if isinstance(payload, str) else json.dumps(payload)
    (folder / name).write_text(text)


def valid_payload(settings_values: dict) -> dict:
    return {"format": backups.FORMAT, "version": backups.VERSION, "settings": settings_values}


def test_creating_a_backup_writes_the_stored_settings(token_holder, backup_dir):
    config.set_value("namespace", "saved")
    response = token_holder.post("/api/config/backups")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Backup created successfully"
    assert backups.DEFAULT_PATTERN.fullmatch(body["name"])
    stored = json.loads((backup_dir / body["name"]).read_text())
    assert stored["format"] == "nomarr-config-backup"
    assert stored["settings"] == {"namespace": "saved"}
    assert [p.name for p in backup_dir.iterdir()] == [body["name"]]  # no temporary file left


def test_a_backup_never_holds_the_tmdb_key(token_holder, backup_dir, tmdb_key_setting):
    config.set_value("tmdb_api_key", "very-secret-key")
    name = token_holder.post("/api/config/backups").json()["name"]
    assert "very-secret-key" not in (backup_dir / name).read_text()


def test_two_default_backups_in_the_same_second_both_exist(token_holder):
    first = token_holder.post("/api/config/backups").json()["name"]
    second = token_holder.post("/api/config/backups").json()["name"]
    assert first != second
    assert len(token_holder.get("/api/config/backups").json()) == 2


def test_a_custom_name_gets_json_appended(token_holder, backup_dir):
    response = create_named(token_holder, "before-upgrade")
    assert response.json()["name"] == "before-upgrade.json"
    assert (backup_dir / "before-upgrade.json").is_file()


def test_an_existing_custom_name_is_409(token_holder):
    assert create_named(token_holder, "mine.json").status_code == 200
    response = create_named(token_holder, "mine.json")
    assert response.status_code == 409
    assert response.json()["error"] == "CONFLICT_ERROR"


@pytest.mark.parametrize("name", [*ESCAPES, "x" * 200, "sp ace", "ünï.json", "-dash.json"])
def test_creating_with_a_bad_name_is_400_and_writes_nothing(token_holder, backup_dir, name):
    response = create_named(token_holder, name)
    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert not backup_dir.exists() or not any(backup_dir.iterdir())
    assert not (backup_dir.parent.parent / "x.json").exists()


def test_the_list_is_newest_first_and_ignores_other_files(token_holder, backup_dir):
    write_backup(backup_dir, "old.json", valid_payload({}))
    write_backup(backup_dir, "new.json", valid_payload({}))
    write_backup(backup_dir, "notes.txt", "not a backup")
    write_backup(backup_dir, ".tmp-half.json", "{")
    os.utime(backup_dir / "old.json", (time.time() - 3600, time.time() - 3600))
    listed = token_holder.get("/api/config/backups").json()
    assert [item["name"] for item in listed] == ["new.json", "old.json"]
    assert listed[0]["size"] == (backup_dir / "new.json").stat().st_size
    assert listed[0]["created"].endswith("Z")


def test_the_list_is_empty_before_any_backup(token_holder):
    assert token_holder.get("/api/config/backups").json() == []


def test_restoring_brings_back_the_settings_and_resets_later_ones(token_holder):
    config.set_value("namespace", "first")
    name = token_holder.post("/api/config/backups").json()["name"]
    config.set_value("namespace", "second")
    config.set_value("file_write_mode", "minimal")
    response = token_holder.post(f"/api/config/backups/{name}/restore")
    assert response.status_code == 200
    assert response.json()["other"]["namespace"] == "first"
    assert response.json()["other"]["file_write_mode"] == "full"  # back to its default


def test_restoring_keeps_the_current_tmdb_key(token_holder, tmdb_key_setting):
    name = token_holder.post("/api/config/backups").json()["name"]
    config.set_value("tmdb_api_key", "kept-key")
    token_holder.post(f"/api/config/backups/{name}/restore")
    assert config.get("tmdb_api_key") == "kept-key"


@pytest.mark.parametrize(
    "payload",
    [
        "{ not json",
        "",
        "[" * 100_000,
        '"just text"',
        {"format": "something-else", "version": 1, "settings": {}},
        {"format": "nomarr-config-backup", "version": 99, "settings": {}},
        {"format": "nomarr-config-backup", "version": 1, "settings": ["namespace"]},
    ],
)
def test_restoring_a_corrupt_file_is_422_and_changes_nothing(token_holder, backup_dir, payload):
    config.set_value("namespace", "current")
    write_backup(backup_dir, "bad.json", payload)
    response = token_holder.post("/api/config/backups/bad.json/restore")
    assert response.status_code == 422
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert config.get("namespace") == "current"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"namespace": "restored", "unknown_setting": 1}, "unknown_setting"),
        ({"namespace": "restored", "scheduler_interval_minutes": -5}, "scheduler_interval_minutes"),
        ({"namespace": "restored", "tmdb_api_key": "smuggled"}, "tmdb_api_key"),
    ],
)
def test_restoring_invalid_settings_is_422_with_details_and_applies_nothing(
    token_holder, backup_dir, values, field, tmdb_key_setting
):
    config.set_value("namespace", "current")
    write_backup(backup_dir, "invalid.json", valid_payload(values))
    response = token_holder.post("/api/config/backups/invalid.json/restore")
    assert response.status_code == 422
    assert field in response.json()["details"]["fields"]
    assert config.get("namespace") == "current"
    assert config.get("tmdb_api_key") == ""


def test_restoring_an_oversized_file_is_422(token_holder, backup_dir):
    write_backup(backup_dir, "big.json", " " * (backups.MAX_FILE_BYTES + 10) + "{}")
    assert token_holder.post("/api/config/backups/big.json/restore").status_code == 422


def test_restoring_a_missing_backup_is_404(token_holder):
    response = token_holder.post("/api/config/backups/nothing.json/restore")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND_ERROR"


def test_a_symlink_in_the_backup_folder_is_not_followed(token_holder, backup_dir, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(valid_payload({"namespace": "outside"})))
    backup_dir.mkdir(parents=True)
    (backup_dir / "link.json").symlink_to(outside)
    assert token_holder.post("/api/config/backups/link.json/restore").status_code == 404
    assert token_holder.delete("/api/config/backups/link.json").status_code == 404
    assert outside.exists()
    assert config.get("namespace") == "nom"


@pytest.mark.parametrize(
    "raw", ["..%2Fx", "%2e%2e", "%2e%2e%2fsecret", "..%5Cx", "a%00b", "%252e%252e%252fx"]
)
def test_restore_and_delete_refuse_names_that_try_to_escape(token_holder, tmp_path, raw):
    secret = tmp_path / "data" / "secret.json"
    secret.write_text(json.dumps(valid_payload({"namespace": "evil"})))
    for response in (
        token_holder.post(f"/api/config/backups/{raw}/restore"),
        token_holder.delete(f"/api/config/backups/{raw}"),
    ):
        assert response.status_code == 400, raw
        assert response.json()["error"] == "VALIDATION_ERROR"
    assert secret.exists()
    assert config.get("namespace") == "nom"


def test_a_literal_parent_path_never_reaches_a_file_outside(token_holder, tmp_path):
    secret = tmp_path / "data" / "secret.json"
    secret.write_text("{}")
    response = token_holder.delete("/api/config/backups/../secret.json")
    assert response.status_code == 400
    assert secret.exists()


def test_deleting_a_backup_removes_it(token_holder, backup_dir):
    name = token_holder.post("/api/config/backups").json()["name"]
    response = token_holder.delete(f"/api/config/backups/{name}")
    assert response.status_code == 200
    assert response.json() == {"message": f"Backup '{name}' deleted successfully"}
    assert not (backup_dir / name).exists()
    assert token_holder.delete(f"/api/config/backups/{name}").status_code == 404


def test_retention_prunes_only_old_default_named_backups(token_holder, backup_dir):
    config.set_value("backup_keep_days", 7)
    old = time.time() - 30 * 86400
    for name in ("config_backup_20200101_000000.json", "keep-me.json"):
        write_backup(backup_dir, name, valid_payload({}))
        os.utime(backup_dir / name, (old, old))
    write_backup(backup_dir, "config_backup_20990101_000000.json", valid_payload({}))
    created = token_holder.post("/api/config/backups").json()["name"]
    names = {item["name"] for item in token_holder.get("/api/config/backups").json()}
    assert names == {"keep-me.json", "config_backup_20990101_000000.json", created}


def test_retention_of_zero_days_keeps_everything(token_holder, backup_dir):
    config.set_value("backup_keep_days", 0)
    old = time.time() - 3650 * 86400
    write_backup(backup_dir, "config_backup_20100101_000000.json", valid_payload({}))
    os.utime(backup_dir / "config_backup_20100101_000000.json", (old, old))
    token_holder.post("/api/config/backups")
    assert len(token_holder.get("/api/config/backups").json()) == 2


def test_with_backups_enabled_a_change_writes_a_backup_first(token_holder, backup_dir):
    config.set_value("namespace", "before")
    config.set_value("backup_enabled", True)
    token_holder.put("/api/config", {"other": {"namespace": "after"}}, format="json")
    [item] = token_holder.get("/api/config/backups").json()
    saved = json.loads((backup_dir / item["name"]).read_text())["settings"]
    assert saved["namespace"] == "before"


def test_with_backups_disabled_a_change_writes_no_backup(token_holder):
    token_holder.put("/api/config", {"other": {"namespace": "after"}}, format="json")
    assert token_holder.get("/api/config/backups").json() == []


def test_an_invalid_change_writes_no_automatic_backup(token_holder):
    config.set_value("backup_enabled", True)
    response = token_holder.put("/api/config", {"other": {"namespace": ""}}, format="json")
    assert response.status_code == 400
    assert token_holder.get("/api/config/backups").json() == []


@pytest.mark.parametrize("persona", ["key_holder", "token_holder"])
def test_key_and_token_holders_manage_backups(request, persona):
    client = request.getfixturevalue(persona)
    name = client.post("/api/config/backups").json()["name"]
    assert client.post(f"/api/config/backups/{name}/restore").status_code == 200
    assert client.delete(f"/api/config/backups/{name}").status_code == 200


def test_a_browser_session_manages_backups_with_csrf(admin_browser):
    admin_browser.get("/web/settings")
    headers = {"HTTP_X_CSRFTOKEN": admin_browser.cookies["csrftoken"].value}
    assert admin_browser.post("/api/config/backups").status_code == 403
    name = admin_browser.post("/api/config/backups", **headers).json()["name"]
    assert admin_browser.get("/api/config/backups").json()[0]["name"] == name
    restored = admin_browser.post(f"/api/config/backups/{name}/restore", **headers)
    assert restored.status_code == 200
    assert admin_browser.delete(f"/api/config/backups/{name}", **headers).status_code == 200


@pytest.mark.parametrize("name", ESCAPES)
def test_clean_name_refuses_every_escape(name):
    from nomarr_site.domain import Invalid

    with pytest.raises(Invalid):
        backups.clean_name(name)


def test_clean_name_accepts_plain_names():
    assert backups.clean_name("pre_upgrade-2.5") == "pre_upgrade-2.5.json"
    assert backups.clean_name("a.json") == "a.json"
