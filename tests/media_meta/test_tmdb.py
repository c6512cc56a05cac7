"""The TMDB client against a real HTTP server on 127.0.0.1: both credential kinds, the
response cache, and each failure TMDB can give (401, 404, 429 with Retry-After, 5xx, a slow
answer), each a clear domain error that never shows the key."""

from __future__ import annotations

import logging

import pytest

from media_meta import tmdb as tmdb_module
from media_meta.tmdb import TmdbClient, TmdbNotConfigured, TmdbNotFound, TmdbUnavailable
from nomarr_site import config
from nomarr_site.errors import domain_status
from tests.support.tmdb import V3_KEY, V4_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def waits(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(tmdb_module, "_sleep", slept.append)
    return slept


def test_a_v3_key_travels_as_a_query_parameter_with_the_language(tmdb):
    config.set_value("tmdb_language", "de-DE")
    found = TmdbClient.from_settings().search_tv("attack", year=2013)
    assert [show["id"] for show in found["results"]] == [1429]
    sent = tmdb.api_requests("/search/tv")[0]
    assert sent["query"]["api_key"] == V3_KEY
    assert sent["query"]["language"] == "de-DE"
    assert sent["query"]["first_air_date_year"] == "2013"
    assert "Authorization" not in sent["headers"]


def test_a_v4_token_travels_as_a_bearer_header(tmdb):
    config.set_value("tmdb_api_key", V4_TOKEN)
    show = TmdbClient.from_settings().show(1429)
    assert show["name"] == "Attack on Titan"
    sent = tmdb.api_requests("/tv/1429")[0]
    assert sent["headers"]["Authorization"] == f"Bearer {V4_TOKEN}"
    assert "api_key" not in sent["query"]


def test_show_details_append_ids_images_ratings_and_credits(tmdb):
    show = TmdbClient.from_settings().show(1429)
    assert show["external_ids"]["tvdb_id"] == 267440
    assert show["content_ratings"]["results"][0]["rating"] == "TV-MA"
    assert show["images"]["logos"] and show["credits"]["cast"]
    assert tmdb.api_requests("/tv/1429")[0]["query"]["include_image_language"] == "en,null"


def test_answers_and_the_configuration_come_from_the_cache_the_second_time(tmdb):
    client = TmdbClient.from_settings()
    assert client.season(1429, 1) == client.season(1429, 1)
    assert client.configuration()["images"]["poster_sizes"]
    client.configuration()
    assert len(tmdb.api_requests("/tv/1429/season/1")) == 1
    assert len(tmdb.api_requests("/configuration")) == 1


def test_without_a_key_the_client_is_unavailable_with_a_clear_message(db):
    with pytest.raises(TmdbNotConfigured) as caught:
        TmdbClient.from_settings()
    assert domain_status(caught.value) == 503
    assert "tmdb_api_key" in caught.value.message


def test_a_refused_key_is_503_and_its_message_hides_the_key(tmdb):
    config.set_value("tmdb_api_key", "wrong-key-123")
    with pytest.raises(TmdbUnavailable) as caught:
        TmdbClient.from_settings().show(1429)
    assert domain_status(caught.value) == 503
    assert "refused the API key" in caught.value.message
    assert "wrong-key-123" not in caught.value.message


def test_an_unknown_show_is_404(tmdb):
    with pytest.raises(TmdbNotFound) as caught:
        TmdbClient.from_settings().show(999999)
    assert domain_status(caught.value) == 404
    assert "TV show 999999" in caught.value.message


def test_a_429_is_retried_after_its_retry_after(tmdb, waits):
    tmdb.script.append((429, {"Retry-After": "2"}, {"status_code": 25, "status_message": "x"}))
    assert TmdbClient.from_settings().show(1429)["id"] == 1429
    assert waits == [2.0]
    assert len(tmdb.api_requests("/tv/1429")) == 2


def test_a_long_retry_after_is_reported_rather_than_waited_for(tmdb, waits):
    tmdb.script.append((429, {"Retry-After": "120"}, {"status_code": 25, "status_message": "x"}))
    with pytest.raises(TmdbUnavailable, match="try again in 120 s") as caught:
        TmdbClient.from_settings().show(1429)
    assert caught.value.details["retry_after"] == 120.0
    assert waits == []


def test_server_errors_are_retried_with_growing_pauses(tmdb, waits):
    tmdb.script.extend([(503, {}, {"status_message": "busy"}), (502, {}, b"<html>")])
    assert TmdbClient.from_settings().season(1429, 1)["episodes"]
    assert waits == [0.5, 1.0]


def test_persistent_server_errors_end_as_unavailable(tmdb, waits):
    tmdb.script.extend([(500, {}, {"status_message": "boom"})] * tmdb_module.ATTEMPTS)
    with pytest.raises(TmdbUnavailable, match="TMDB answered 500"):
        TmdbClient.from_settings().show(1429)
    assert len(tmdb.api_requests("/tv/1429")) == tmdb_module.ATTEMPTS


def test_a_slow_answer_ends_after_the_timeout(tmdb, settings):
    settings.TMDB_TIMEOUT_SECONDS = 1
    tmdb.delay = 2.5
    with pytest.raises(TmdbUnavailable, match="did not answer within 1 s"):
        TmdbClient.from_settings().show(1429)


def test_an_unreachable_tmdb_is_unavailable(db, settings, waits):
    settings.TMDB_API_URL = "http://127.0.0.1:9/3"
    config.set_value("tmdb_api_key", V3_KEY)
    with pytest.raises(TmdbUnavailable, match="cannot be reached"):
        TmdbClient.from_settings().show(1)
    assert len(waits) == tmdb_module.ATTEMPTS - 1


def test_the_key_never_reaches_the_log(tmdb, caplog):
    with caplog.at_level(logging.DEBUG):
        TmdbClient.from_settings().search_tv("titan")
    assert "HTTP Request" in caplog.text
    assert V3_KEY not in caplog.text


@pytest.mark.parametrize("bad", ["with space", "x" * 1025, 42, "ключ"])
def test_a_malformed_key_setting_is_refused(db, bad):
    with pytest.raises(config.InvalidSetting):
        config.set_value("tmdb_api_key", bad)


@pytest.mark.parametrize("bad", ["english", "EN", "en_US", "", 5])
def test_a_malformed_language_is_refused(db, bad):
    with pytest.raises(config.InvalidSetting):
        config.set_value("tmdb_language", bad)


def test_the_client_never_shows_its_key_in_a_repr(tmdb):
    assert V3_KEY not in repr(TmdbClient.from_settings())
