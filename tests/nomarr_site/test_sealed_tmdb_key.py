"""The TMDB key at rest: sealed like the downloaders' secrets, a plain key from before sealed by
a data migration, and a key that no longer opens (SECRET_KEY changed) a clear 503 that asks for
it again instead of a crash or a request to TMDB with nothing."""

from __future__ import annotations

import pytest

from media_meta.tmdb import TmdbClient, TmdbKeyUnreadable
from nomarr_site import config
from nomarr_site.errors import domain_status
from nomarr_site.models import AppSetting

pytestmark = pytest.mark.django_db

OTHER_SECRET_KEY = "another-secret-key-" + "y" * 40


def test_the_tmdb_key_is_stored_sealed_and_reads_back_in_clear():
    config.set_value("tmdb_api_key", "tmdb-plain-key-123")
    stored = AppSetting.objects.get(key="tmdb_api_key").value
    assert "tmdb-plain-key-123" not in stored
    assert config.get("tmdb_api_key") == "tmdb-plain-key-123"
    assert config.secret("tmdb_api_key") == "tmdb-plain-key-123"


def test_the_config_api_still_answers_only_whether_the_key_is_set(token_holder):
    response = token_holder.put(
        "/api/config", {"other": {"tmdb_api_key": "tmdb-plain-key-123"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["other"]["tmdb_api_key_set"] is True
    assert "tmdb-plain-key-123" not in response.content.decode()
    assert "tmdb-plain-key-123" not in AppSetting.objects.get(key="tmdb_api_key").value


def test_a_key_that_no_longer_opens_asks_for_the_key_again_with_503(settings):
    config.set_value("tmdb_api_key", "tmdb-plain-key-123")
    settings.SECRET_KEY = OTHER_SECRET_KEY
    assert config.get("tmdb_api_key") == ""  # reads as unset: the API answers *_set False
    with pytest.raises(config.SecretUnreadable):
        config.secret("tmdb_api_key")
    with pytest.raises(TmdbKeyUnreadable) as caught:
        TmdbClient.from_settings()
    assert domain_status(caught.value) == 503
    assert "enter the TMDB API key again" in caught.value.message


def test_an_unset_key_is_not_called_unreadable():
    assert config.secret("tmdb_api_key") == ""


def test_an_environment_override_wins_over_an_unreadable_stored_key(settings, monkeypatch):
    config.set_value("tmdb_api_key", "tmdb-plain-key-123")
    settings.SECRET_KEY = OTHER_SECRET_KEY
    monkeypatch.setenv("NOMARR_TMDB_API_KEY", "from-the-environment")
    assert config.secret("tmdb_api_key") == "from-the-environment"


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_a_plain_key_and_reversing_it_opens_the_key_again():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("nomarr_site", "0003_apikey_scope")]
    after = [("nomarr_site", "0004_seal_tmdb_api_key")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        AppSetting.objects.create(key="tmdb_api_key", value="tmdb-plain-key-123")
        AppSetting.objects.create(key="namespace", value="nom")
        MigrationExecutor(connection).migrate(after)
        assert AppSetting.objects.get(key="tmdb_api_key").value != "tmdb-plain-key-123"
        assert config.secret("tmdb_api_key") == "tmdb-plain-key-123"
        assert AppSetting.objects.get(key="namespace").value == "nom"
        MigrationExecutor(connection).migrate(before)
        assert AppSetting.objects.get(key="tmdb_api_key").value == "tmdb-plain-key-123"
    finally:
        MigrationExecutor(connection).migrate(latest)
