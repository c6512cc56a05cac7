"""The stored `log_level` reaches the loggers: at once in the process that saves it, and in
every other process (web, workers, the cluster's sweep, `serve`) when it next reads it."""

from __future__ import annotations

import logging

import pytest

from jobs import hooks
from nomarr_site import config, log_level
from nomarr_site.models import AppSetting

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(monkeypatch):
    """This process has not read the stored level yet (tests/conftest.py pins it as read)."""
    monkeypatch.setattr(log_level, "_checked_at", None)
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("django").setLevel(logging.INFO)


def levels() -> tuple[int, int]:
    return logging.getLogger().level, logging.getLogger("django").level


def test_a_change_through_the_config_api_applies_at_once(token_holder):
    logging.getLogger().setLevel(logging.INFO)
    response = token_holder.post(
        "/api/web/config", {"key": "log_level", "value": "ERROR"}, format="json"
    )
    assert response.status_code == 200
    assert "restart" not in response.json()["message"]
    assert levels() == (logging.ERROR, logging.ERROR)
    assert not logging.getLogger("library.scanner").isEnabledFor(logging.WARNING)


def test_a_document_put_applies_the_level_too(token_holder):
    response = token_holder.put("/api/config", {"logging": {"level": "DEBUG"}}, format="json")
    assert response.status_code == 200
    assert levels() == (logging.DEBUG, logging.DEBUG)


def test_another_web_process_applies_the_stored_level_when_a_request_starts(fresh, client):
    AppSetting.objects.create(key="log_level", value="WARNING")  # saved by another process
    client.get("/health")
    assert levels() == (logging.WARNING, logging.WARNING)


def test_the_stored_level_is_read_again_only_after_the_refresh_interval(fresh, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(log_level.time, "monotonic", lambda: clock[0])
    AppSetting.objects.create(key="log_level", value="WARNING")
    log_level.refresh()
    AppSetting.objects.filter(key="log_level").update(value="ERROR")
    clock[0] += log_level.REFRESH_SECONDS - 1
    log_level.refresh()
    assert levels()[0] == logging.WARNING
    clock[0] += 2
    log_level.refresh()
    assert levels()[0] == logging.ERROR


def test_a_worker_applies_the_stored_level_before_a_task(fresh):
    from django_q.signals import pre_execute

    AppSetting.objects.create(key="log_level", value="CRITICAL")
    pre_execute.send(sender="django_q", func=None, task={})
    assert levels() == (logging.CRITICAL, logging.CRITICAL)


def test_the_clusters_sweep_applies_the_stored_level(fresh, monkeypatch):
    monkeypatch.setattr(hooks, "_last_run", {})
    AppSetting.objects.create(key="log_level", value="ERROR")
    assert "log_level" in hooks.run_due_periodic(0.0)
    assert levels()[0] == logging.ERROR


def test_the_environment_override_wins_over_the_stored_level(fresh, monkeypatch):
    monkeypatch.setenv("NOMARR_LOG_LEVEL", "DEBUG")
    AppSetting.objects.create(key="log_level", value="ERROR")
    log_level.refresh()
    assert levels()[0] == logging.DEBUG


def test_third_party_loggers_keep_their_fixed_levels(token_holder):
    before = logging.getLogger("django.request").level, logging.getLogger("daphne").level
    config.set_value("log_level", "DEBUG")
    assert (logging.getLogger("django.request").level, logging.getLogger("daphne").level) == before
