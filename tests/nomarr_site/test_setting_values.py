"""The settings' value checks read numbers as people write them, and nothing Python's int()
and float() happen to read besides."""

from __future__ import annotations

import pytest

from nomarr_site.setting_values import FloatBetween, IntBetween, InvalidSetting


@pytest.mark.parametrize("text", ["１２", "1_2", "١٢", " ４ "])
def test_integers_in_text_are_ascii_digits_only(text):
    with pytest.raises(InvalidSetting, match="expected an integer"):
        IntBetween(0, 100)(text)


@pytest.mark.parametrize("text", ["０.５", "0_5", "٠.٥"])
def test_numbers_in_text_are_ascii_only(text):
    with pytest.raises(InvalidSetting, match="expected a number"):
        FloatBetween(0.0, 1.0)(text)


def test_plain_numbers_still_pass_as_numbers_and_as_text():
    assert IntBetween(0, 100)(12) == IntBetween(0, 100)(" 12 ") == 12
    assert FloatBetween(0.0, 1.0)(0.5) == FloatBetween(0.0, 1.0)("0.5") == 0.5
