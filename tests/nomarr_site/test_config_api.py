"""The nested configuration API: GET/PUT /api/config, /api/config/validate and the series
directory, with the personas that may and may not call them."""

from __future__ import annotations

import json

import pytest

from library.models import Library

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


def csrf_headers(browser) -> dict[str, str]:
    browser.get("/web/settings")
    return {"HTTP_X_CSRFTOKEN": browser.cookies["csrftoken"].value}


def put(client, body, raw: bool = False):
    data = body if raw else json.dumps(body)
    return client.put("/api/config", data, content_type="application/json")


def test_config_document_has_the_aniworld_shape_with_defaults(
    token_holder, settings, tmdb_key_setting
):
    body = token_holder.get("/api/config").json()
    assert body["name"] == "Nomarr"
    assert body["data_dir"] == str(settings.DATA_DIR)
    assert body["scheduler"] == {
        "enabled": True,
        "interval_minutes": 60,
        "schedule_time": "03:00",
        "schedule_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "auto_download_after_rescan": False,
    }
    assert body["logging"] == {
        "level": settings.LOG_LEVEL,
        "file": None,
        "max_bytes": None,
        "backup_count": 3,
    }
    assert body["backup"] == {
        "enabled": False,
        "path": str(settings.DATA_DIR / "backups"),
        "keep_days": 30,
    }
    assert body["other"]["namespace"] == "nom"
    assert body["other"]["file_write_mode"] == "full"
    assert body["other"]["tmdb_api_key_set"] is False
    assert "tmdb_api_key" not in body["other"]


def test_the_tmdb_key_is_offered_only_as_whether_it_is_set(token_holder):
    other = token_holder.get("/api/config").json()["other"]
    assert "tmdb_api_key" not in other and other["tmdb_api_key_set"] is False
    assert other["tmdb_language"] == "en-US"
    assert token_holder.get("/api/web/config").json()["tmdb_api_key"] is False


def test_a_partial_update_merges_into_its_section(token_holder):
    response = put(
        token_holder, {"scheduler": {"schedule_time": "6:30", "schedule_days": ["fri", "mon"]}}
    )
    assert response.status_code == 200
    scheduler = response.json()["scheduler"]
    assert scheduler["schedule_time"] == "06:30"
    assert scheduler["schedule_days"] == ["mon", "fri"]
    assert scheduler["interval_minutes"] == 60  # untouched fields keep their value
    assert token_holder.get("/api/config").json()["scheduler"] == scheduler


def test_updates_reach_the_flat_store_and_the_web_config(token_holder):
    put(token_holder, {"logging": {"level": "DEBUG"}, "other": {"namespace": "abc"}})
    flat = token_holder.get("/api/web/config").json()
    assert flat["log_level"] == "DEBUG"
    assert flat["namespace"] == "abc"


def test_a_get_answer_can_be_sent_back_unchanged(token_holder):
    document = token_holder.get("/api/config").json()
    response = put(token_holder, document)
    assert response.status_code == 200
    assert response.json() == document


def test_the_tmdb_key_can_be_set_but_is_never_returned(token_holder, tmdb_key_setting):
    response = put(token_holder, {"other": {"tmdb_api_key": "s3cret-tmdb-key"}})
    assert response.status_code == 200
    assert "s3cret-tmdb-key" not in response.content.decode()
    assert response.json()["other"]["tmdb_api_key_set"] is True
    assert "s3cret-tmdb-key" not in token_holder.get("/api/config").content.decode()
    from nomarr_site import config

    assert config.get("tmdb_api_key") == "s3cret-tmdb-key"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"surprise": {}}, "surprise"),
        ({"scheduler": {"colour": "red"}}, "scheduler.colour"),
        ({"other": {"tmdb_api_key_set": True}}, "other.tmdb_api_key_set"),
        ({"name": "Aniworld"}, "name"),
        ({"backup": {"path": "/etc"}}, "backup.path"),
        ({"scheduler": "daily"}, "scheduler"),
    ],
)
def test_unknown_and_read_only_fields_are_400_naming_them(
    token_holder, body, field, tmdb_key_setting
):
    response = put(token_holder, body)
    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "VALIDATION_ERROR"
    assert field in error["message"]
    assert field in error["details"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheduler": {"interval_minutes": "often"}}, "scheduler.interval_minutes"),
        ({"scheduler": {"interval_minutes": 10**30}}, "scheduler.interval_minutes"),
        ({"scheduler": {"interval_minutes": True}}, "scheduler.interval_minutes"),
        ({"scheduler": {"interval_minutes": 7.5}}, "scheduler.interval_minutes"),
        ({"scheduler": {"interval_minutes": "１２"}}, "scheduler.interval_minutes"),  # full-width
        ({"scheduler": {"interval_minutes": "1_0"}}, "scheduler.interval_minutes"),
        ({"scheduler": {"enabled": "perhaps"}}, "scheduler.enabled"),
        ({"scheduler": {"schedule_days": "mon"}}, "scheduler.schedule_days"),
        ({"scheduler": {"schedule_days": ["someday"]}}, "scheduler.schedule_days"),
        ({"scheduler": {"schedule_time": "24:00"}}, "scheduler.schedule_time"),
        ({"logging": {"level": "LOUD"}}, "logging.level"),
        ({"logging": {"backup_count": -1}}, "logging.backup_count"),
        ({"backup": {"keep_days": 10**6}}, "backup.keep_days"),
        ({"other": {"namespace": "x" * 100_000}}, "other.namespace"),
        ({"other": {"tmdb_api_key": "k" * 10_000}}, "other.tmdb_api_key"),
        ({"other": {"models_dir": ["not", "text"]}}, "other.models_dir"),
        ({"other": {"series_directory": "relative/dir"}}, "other.series_directory"),
    ],
)
def test_invalid_values_are_400_with_per_field_details(token_holder, body, field, tmdb_key_setting):
    response = put(token_holder, body)
    assert response.status_code == 400
    assert list(response.json()["details"]["fields"]) == [field]


def test_an_infinite_number_is_refused_rather_than_crashing(token_holder):
    response = put(token_holder, '{"scheduler": {"interval_minutes": 1e400}}', raw=True)
    assert response.status_code == 400
    assert "scheduler.interval_minutes" in response.json()["details"]["fields"]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "42"])
def test_a_body_that_is_not_an_object_is_400(token_holder, body):
    assert put(token_holder, body, raw=True).status_code == 400


def test_one_bad_field_saves_nothing(token_holder):
    response = put(
        token_holder,
        {"other": {"namespace": "changed"}, "scheduler": {"interval_minutes": 0}},
    )
    assert response.status_code == 400
    assert token_holder.get("/api/config").json()["other"]["namespace"] == "nom"


def test_every_error_of_a_document_is_reported_at_once(token_holder):
    response = put(
        token_holder,
        {"scheduler": {"interval_minutes": 0, "bogus": 1}, "logging": {"level": "x"}},
    )
    fields = response.json()["details"]["fields"]
    assert set(fields) == {"scheduler.interval_minutes", "scheduler.bogus", "logging.level"}


def test_validate_accepts_a_full_document_without_saving(token_holder):
    document = token_holder.get("/api/config").json()
    document["other"]["namespace"] = "other"
    response = token_holder.post("/api/config/validate", document, format="json")
    assert response.json() == {"valid": True, "errors": []}
    assert token_holder.get("/api/config").json()["other"]["namespace"] == "nom"


def test_validate_lists_every_problem_and_saves_nothing(token_holder):
    response = token_holder.post(
        "/api/config/validate",
        {"scheduler": {"interval_minutes": 0}, "extra": 1, "other": {"namespace": "a b"}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert len(body["errors"]) == 3
    assert any(line.startswith("extra:") for line in body["errors"])
    assert token_holder.get("/api/config").json()["other"]["namespace"] == "nom"


def test_validate_of_a_list_body_is_invalid_not_an_error(token_holder):
    response = token_holder.post("/api/config/validate", [1], format="json")
    assert response.json() == {"valid": False, "errors": ["config: expected a JSON object"]}


def test_setting_the_series_directory_counts_its_series_folders(token_holder, tmp_path):
    root = tmp_path / "series"
    for name in ("Show A", "Show B", ".hidden"):
        (root / name).mkdir(parents=True)
    (root / "notes.txt").write_text("not a series")
    response = token_holder.post("/api/config/directory", {"directory": str(root)}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "message": "Anime directory updated successfully",
        "synced_series": 2,
    }
    assert token_holder.get("/api/config").json()["other"]["series_directory"] == str(root)


@pytest.mark.parametrize(
    ("directory", "words"),
    [
        ("relative/path", "absolute"),
        ("/no/such/nomarr/folder", "does not exist"),
        ("", "blank"),
        ("/tmp/a\x00b", "ull"),
    ],
)
def test_a_bad_series_directory_is_400_with_a_clear_message(token_holder, directory, words):
    response = token_holder.post("/api/config/directory", {"directory": directory}, format="json")
    assert response.status_code == 400
    assert words in response.json()["message"]


def test_a_file_is_not_a_series_directory(token_holder, tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("x")
    response = token_holder.post("/api/config/directory", {"directory": str(path)}, format="json")
    assert response.status_code == 400
    assert "not a directory" in response.json()["message"]


def test_a_missing_directory_field_is_400(token_holder):
    response = token_holder.post("/api/config/directory", {}, format="json")
    assert response.status_code == 400
    assert "directory" in response.json()["message"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/config"),
        ("put", "/api/config"),
        ("post", "/api/config/validate"),
        ("get", "/api/config/fields"),
        ("get", "/api/config/backups"),
        ("post", "/api/config/backups"),
        ("post", "/api/config/backups/x.json/restore"),
        ("delete", "/api/config/backups/x.json"),
        ("post", "/api/config/directory"),
    ],
)
def test_anonymous_visitors_get_401_everywhere(anonymous, method, url):
    response = getattr(anonymous, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"] == "AUTHENTICATION_ERROR"


@pytest.mark.parametrize("persona", ["key_holder", "token_holder"])
def test_key_and_token_holders_may_read_and_change_the_config(request, persona):
    client = request.getfixturevalue(persona)
    assert client.get("/api/config").status_code == 200
    response = put(client, {"backup": {"keep_days": 7}})
    assert response.status_code == 200
    assert response.json()["backup"]["keep_days"] == 7


def test_a_browser_session_may_change_the_config_with_csrf(admin_browser):
    assert admin_browser.get("/api/config").status_code == 200
    body = json.dumps({"other": {"library_auto_tag": False}})
    refused = admin_browser.put("/api/config", body, content_type="application/json")
    assert refused.status_code == 403
    response = admin_browser.put(
        "/api/config", body, content_type="application/json", **csrf_headers(admin_browser)
    )
    assert response.status_code == 200
    assert response.json()["other"]["library_auto_tag"] is False


def test_form_fields_describe_every_editable_setting_without_secrets(
    token_holder, monkeypatch, tmdb_key_setting
):
    from nomarr_site import config

    config.set_value("tmdb_api_key", "hidden-value")
    monkeypatch.setenv("NOMARR_NAMESPACE", "fromenv")
    response = token_holder.get("/api/config/fields")
    assert response.status_code == 200
    assert "hidden-value" not in response.content.decode()
    fields = {field["path"]: field for field in response.json()["fields"]}
    assert fields["other.tmdb_api_key"]["input"] == "secret"
    assert fields["other.tmdb_api_key"]["value"] is True
    assert fields["scheduler.interval_minutes"]["input"] == "number"
    assert (
        fields["scheduler.interval_minutes"]["min"],
        fields["scheduler.interval_minutes"]["max"],
    ) == (1, 10080)
    assert fields["scheduler.schedule_days"]["input"] == "multi"
    assert fields["logging.level"]["choices"] == list(config.LOG_LEVELS)
    assert fields["logging.level"]["restart"] is False  # applied while running
    assert fields["logging.backup_count"]["restart"] is True
    assert fields["other.library_auto_tag"]["input"] == "checkbox"
    assert fields["other.namespace"]["env_override"] == "NOMARR_NAMESPACE"
    assert fields["other.namespace"]["value"] == "fromenv"
    assert all(field["description"] for field in fields.values())


def test_the_settings_page_has_configuration_and_backup_sections(admin_browser):
    page = admin_browser.get("/web/settings").content.decode()
    assert 'id="configuration"' in page
    assert 'data-fields-url="/api/config/fields"' in page
    assert 'id="backups"' in page
    assert 'id="api-keys"' in page


def test_a_models_folder_that_does_not_exist_is_refused_by_put_and_validate(token_holder, tmp_path):
    missing = str(tmp_path / "no-models")
    response = put(token_holder, {"other": {"models_dir": missing}})
    assert response.status_code == 400
    fields = response.json()["details"]["fields"]
    assert fields == {"other.models_dir": f"{missing} does not exist"}
    assert token_holder.get("/api/config").json()["other"]["models_dir"] != missing
    checked = token_holder.post(
        "/api/config/validate", {"other": {"models_dir": missing}}, format="json"
    ).json()
    assert checked == {"valid": False, "errors": [f"other.models_dir: {missing} does not exist"]}


def test_an_unchanged_models_folder_may_be_sent_back_even_if_missing(token_holder, settings):
    assert not settings.DATA_DIR.joinpath("models").exists()  # the default, not created yet
    document = token_holder.get("/api/config").json()
    assert put(token_holder, document).status_code == 200


def test_an_existing_models_folder_is_saved_through_the_document(token_holder, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    assert put(token_holder, {"other": {"models_dir": str(folder)}}).status_code == 200
    assert token_holder.get("/api/config").json()["other"]["models_dir"] == str(folder)


@pytest.fixture
def libraries(tmp_path):
    """An enabled music library, a disabled one and a series library, by name."""
    made = {}
    for name, kind, enabled in [
        ("music", Library.Kind.MUSIC, True),
        ("off", Library.Kind.MUSIC, False),
        ("series", Library.Kind.SERIES, True),
    ]:
        root = tmp_path / name
        root.mkdir()
        made[name] = Library.objects.create(
            name=name, root_path=str(root), kind=kind, is_enabled=enabled
        ).pk
    return made


@pytest.mark.parametrize("which", ["missing", "off", "series"])
def test_an_import_library_that_is_no_enabled_music_library_is_refused_when_saved(
    token_holder, libraries, which
):
    chosen = libraries.get(which, 999)
    response = put(token_holder, {"imports": {"music_library": chosen}})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    why = f"library {chosen} is not an enabled music library"
    assert body["details"]["fields"] == {"imports.music_library": why}
    assert token_holder.get("/api/config").json()["imports"]["music_library"] == 0
    checked = token_holder.post(
        "/api/config/validate", {"imports": {"music_library": chosen}}, format="json"
    ).json()
    assert checked == {"valid": False, "errors": [f"imports.music_library: {why}"]}


@pytest.mark.parametrize("which", ["music", "default"])
def test_an_enabled_music_library_or_0_is_saved_as_the_import_library(
    token_holder, libraries, which
):
    chosen = libraries.get(which, 0)
    assert put(token_holder, {"imports": {"music_library": chosen}}).status_code == 200
    assert token_holder.get("/api/config").json()["imports"]["music_library"] == chosen


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"other": {"namespace": "nöm"}}, "other.namespace"),
        ({"scheduler": {"schedule_time": "１２:００"}}, "scheduler.schedule_time"),
    ],
)
def test_non_ascii_namespaces_and_times_are_refused_in_the_document(token_holder, body, field):
    response = put(token_holder, body)
    assert response.status_code == 400
    assert list(response.json()["details"]["fields"]) == [field]
