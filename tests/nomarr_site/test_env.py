"""Strict parsing of environment variables (`nomarr_site/env.py`): look-alikes of ASCII digits
and letters stop start-up naming the variable instead of reading as a number or a word."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from nomarr_site import env


@pytest.mark.parametrize(
    "raw",
    [
        "\uff11\uff12",  # full-width digits: int() reads 12
        "\u0661\u0662",  # Arabic-Indic digits
        "\u0967\u0968",  # Devanagari digits
        "1\u00a0",  # a no-break space after the number
        "1_000",  # int() reads 1000
        "12a",
        "--1",
        "+",
        "9" * 5000,  # past int()'s digit limit: a ValueError of its own
    ],
)
def test_an_integer_that_is_not_ascii_digits_stops_start_up_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("NOMARR_PORT", raw)
    with pytest.raises(ImproperlyConfigured) as raised:
        env.get_int("NOMARR_PORT", 8356)
    assert str(raised.value) == f"NOMARR_PORT: expected an integer, got {raw!r}"


@pytest.mark.parametrize(
    ("raw", "value"), [("8080", 8080), (" 8080\n", 8080), ("+7", 7), ("-3", -3), ("007", 7)]
)
def test_an_integer_of_ascii_digits_with_a_sign_and_ascii_spaces_is_read(monkeypatch, raw, value):
    monkeypatch.setenv("NOMARR_RETRY_BASE_SECONDS", raw)
    assert env.get_int("NOMARR_RETRY_BASE_SECONDS", 2) == value


def test_an_unset_or_blank_integer_is_the_default(monkeypatch):
    monkeypatch.delenv("NOMARR_PORT", raising=False)
    assert env.get_int("NOMARR_PORT", 8356) == 8356
    monkeypatch.setenv("NOMARR_PORT", "  ")
    assert env.get_int("NOMARR_PORT", 8356) == 8356


@pytest.mark.parametrize("raw", ["\u0131nfo", "warn\u0131ng", "\uff29\uff2e\uff26\uff2f"])
def test_a_log_level_spelled_with_look_alike_letters_stops_start_up(monkeypatch, raw):
    monkeypatch.setenv("NOMARR_LOG_LEVEL", raw)
    with pytest.raises(ImproperlyConfigured, match="NOMARR_LOG_LEVEL: expected one of"):
        env.get_choice("NOMARR_LOG_LEVEL", "INFO", env.LOG_LEVELS)


@pytest.mark.parametrize(("raw", "level"), [("info", "INFO"), (" Warning ", "WARNING")])
def test_a_log_level_in_any_ascii_case_is_read(monkeypatch, raw, level):
    monkeypatch.setenv("NOMARR_LOG_LEVEL", raw)
    assert env.get_choice("NOMARR_LOG_LEVEL", "INFO", env.LOG_LEVELS) == level
