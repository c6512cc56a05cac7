"""The import settings: folders as a list or the form's comma-separated text, downloader URLs,
an environment override, and sealed secrets that read as unset once they cannot be opened."""

from __future__ import annotations

import pytest

from library.imports.actions import NoImportTarget, music_library
from library.imports.sources import ImportRefused, import_roots
from library.models import Library
from nomarr_site import config
from nomarr_site.models import AppSetting

pytestmark = pytest.mark.django_db


def test_import_roots_take_a_list_or_the_forms_text_and_refuse_relative_folders():
    assert config.validate("import_roots", ["/in", "/in/", "/other"]) == ["/in", "/other"]
    assert config.validate("import_roots", "/in, /other\n/third") == ["/in", "/other", "/third"]
    assert config.validate("import_roots", "") == []
    for bad in (["relative"], [3], {"a": 1}, ["/a\x00b"]):
        with pytest.raises(config.InvalidSetting):
            config.validate("import_roots", bad)


@pytest.mark.parametrize("folder", ["/", "/etc", "/proc/self", "/var", "DATA", "DATA/backups"])
def test_a_system_folder_or_the_data_dir_is_never_an_import_folder(folder, settings):
    """An import moves the file out of its folder: `/` would let a key move any file."""
    folder = folder.replace("DATA", str(settings.DATA_DIR))
    with pytest.raises(config.InvalidSetting, match="choose the folder"):
        config.validate_change("import_roots", ["/srv/incoming", folder])


def test_an_import_folder_set_in_the_environment_is_checked_at_import_time(monkeypatch):
    monkeypatch.setenv("NOMARR_IMPORT_ROOTS", "/srv/incoming,/")
    with pytest.raises(ImportRefused, match="system folder"):
        import_roots()


def test_downloader_urls_must_be_http_and_lose_their_trailing_slash():
    assert config.validate("sabnzbd_url", "http://sabnzbd:8080/") == "http://sabnzbd:8080"
    assert config.validate("nzbget_url", "") == ""
    for bad in ("ftp://x", "sabnzbd:8080", "http://a b", 5):
        with pytest.raises(config.InvalidSetting):
            config.validate("sabnzbd_url", bad)


def test_an_import_library_removed_after_it_was_chosen_is_still_refused_at_import_time(music):
    config.set_many({"import_music_library": music.pk})
    assert music_library() == music
    Library.objects.filter(pk=music.pk).delete()
    with pytest.raises(NoImportTarget) as caught:
        music_library()
    assert caught.value.message == (
        f"imports.music_library names library {music.pk}, which is not an enabled music library"
    )


def test_the_environment_overrides_import_roots_as_a_comma_list(monkeypatch):
    monkeypatch.setenv("NOMARR_IMPORT_ROOTS", "/downloads,/incoming")
    assert config.get("import_roots") == ["/downloads", "/incoming"]


def test_a_sealed_secret_that_no_longer_opens_reads_as_unset(settings):
    config.set_value("sabnzbd_api_key", "0123456789abcdef")
    assert config.get("sabnzbd_api_key") == "0123456789abcdef"
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert config.get("sabnzbd_api_key") == ""
    assert config.all_values()["sabnzbd_api_key"] is False


def test_backups_leave_the_downloaders_secrets_out():
    config.set_many({"sabnzbd_api_key": "0123456789abcdef", "sabnzbd_category": "tv"})
    stored = config.stored_values()
    assert stored == {"sabnzbd_category": "tv"}
    assert AppSetting.objects.get(key="sabnzbd_api_key").value != "0123456789abcdef"
    assert config.stored_values(include_secrets=True)["sabnzbd_api_key"] == "0123456789abcdef"


@pytest.mark.parametrize(
    ("client", "settings_of_client", "secret"),
    [
        ("sabnzbd", {"sabnzbd_url": "http://sab:8080"}, "sabnzbd_api_key"),
        ("nzbget", {"nzbget_url": "http://nzbget:6789", "nzbget_username": "u"}, "nzbget_password"),
    ],
)
def test_a_downloader_secret_that_no_longer_opens_asks_for_it_again(
    settings, client, settings_of_client, secret
):
    from library.imports.actions import NoImportTarget, nzb_client

    config.set_many({"import_nzb_client": client, **settings_of_client, secret: "0123456789ab"})
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(NoImportTarget) as caught:
        nzb_client()
    assert caught.value.message.startswith(f"The stored imports.{secret} cannot be read")
    assert "enter it again" in caught.value.message
