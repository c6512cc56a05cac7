"""The version tag in words, as the track page shows it."""

from __future__ import annotations

from datetime import date

import pytest

from library.tagging.version import describe

CURRENT = "p1-0123456789ab"


@pytest.mark.parametrize(
    ("tagged", "expected"),
    [
        ("", "Not analysed yet"),
        (
            f"{CURRENT};cal=none",
            "Analysed on 2026-11-30 with the current model set, not calibrated",
        ),
        (
            "p1-ffffffffffff;cal=3",
            "Analysed on 2026-11-30 with an earlier model set (re-tagging brings it up to "
            "date), calibration 3",
        ),
        ("essentia-2.1", "Tagged on 2026-11-30 in a form this version of Nomarr does not know"),
    ],
)
def test_a_version_tag_reads_as_words(tagged, expected):
    assert describe(tagged, CURRENT, date(2026, 11, 30)) == expected


def test_without_models_or_a_date_the_words_still_make_sense():
    assert describe(f"{CURRENT};cal=none", None) == (
        "Analysed with models that are not in the models folder now, not calibrated"
    )
