"""Tag derivation from pooled scores: head values by class name, mood tiers from calibrated
scores, the version tag, and what each file_write_mode writes."""

from __future__ import annotations

import pytest

from library.tagging.pipeline import HeadResult
from library.tagging.tag_values import (
    MoodReading,
    TagRules,
    derive_tags,
    min_max_calibration,
    mood_tiers,
    positive_class,
)


def result(head, classes, mean, task=None):
    return HeadResult(
        head=head,
        task=task or head,
        model_file=f"{head}.pb",
        model_sha256="0" * 64,
        embedding_model="discogs-effnet-bs64-1",
        embedding_sha256="1" * 64,
        classes=classes,
        mean=tuple(mean),
        std=tuple(0.0 for _ in mean),
        patches=5,
    )


RESULTS = [
    result("mood_happy", ("happy", "non_happy"), [0.9, 0.1]),
    result("mood_sad", ("non_sad", "sad"), [0.6, 0.4]),
    result("mood_party", ("non_party", "party"), [0.3, 0.7]),
    result("mood_relaxed_musicnn", ("non_relaxed", "relaxed"), [0.0, 1.0], task="mood_relaxed"),
    result("danceability", ("danceable", "not_danceable"), [0.25, 0.75]),
    result(
        "genre_discogs400",
        ("Rock---Punk", "Jazz---Bop", "Pop---Indie", "Folk---Folk"),
        [0.5, 0.05, 0.3, 0.2],
    ),
    result("gender", ("female", "male"), [0.4, 0.6]),
    result("approachability_regression", None, [0.61237]),
]


@pytest.mark.parametrize(
    ("classes", "positive"),
    [
        (("happy", "non_happy"), "happy"),
        (("non_sad", "sad"), "sad"),
        (("danceable", "not_danceable"), "danceable"),
        (("not relaxed", "relaxed"), "relaxed"),
        (("female", "male"), None),
        (("a", "b", "c"), None),
        (None, None),
    ],
)
def test_the_positive_class_is_found_by_name_never_by_position(classes, positive):
    assert positive_class(classes) == positive


# Calibrated values equal the raw scores: every mood class calibrated on (0, 1).
UNIT = TagRules(
    calibration=min_max_calibration(
        {
            (r.head, label): (0.0, 1.0)
            for r in RESULTS
            if r.head.startswith("mood_")
            for label in r.classes
        }
    ),
    calibration_version="3",
)


def test_full_mode_writes_every_head_tiers_and_version():
    tags = derive_tags(RESULTS, "p1-abc", "full", UNIT)

    assert tags == {
        "nom:mood_happy": ["0.9000"],
        "nom:mood_sad": ["0.4000"],
        "nom:mood_party": ["0.7000"],
        "nom:mood_relaxed_musicnn": ["1.0000"],
        "nom:danceability": ["0.2500"],
        "nom:genre_discogs400": ["Rock---Punk", "Pop---Indie", "Folk---Folk"],
        "nom:gender": ["male"],
        "nom:approachability_regression": ["0.6124"],
        "nom:mood-strict": ["happy"],
        "nom:mood-regular": ["happy"],
        "nom:mood-loose": ["happy", "party"],
        "nom:version": ["p1-abc;cal=3"],
    }


def test_minimal_mode_writes_only_tiers_and_version_and_none_writes_nothing():
    rules = TagRules(namespace="mine", calibration=UNIT.calibration)
    minimal = derive_tags(RESULTS, "p1-abc", "minimal", rules)

    assert sorted(minimal) == [
        "mine:mood-loose",
        "mine:mood-regular",
        "mine:mood-strict",
        "mine:version",
    ]
    assert derive_tags(RESULTS, "p1-abc", "none") == {}
    with pytest.raises(ValueError, match="file_write_mode"):
        derive_tags(RESULTS, "p1-abc", "everything")


def test_calibration_is_applied_before_the_tier_rules():
    calibrated = TagRules(
        calibration=min_max_calibration(
            {
                ("mood_party", "party"): (0.2, 0.75),
                ("mood_party", "non_party"): (0.0, 1.0),
                ("mood_happy", "happy"): (0.0, 2.0),
                ("mood_happy", "non_happy"): (0.0, 1.0),
            }
        ),
        calibration_version="7",
    )

    tags = derive_tags(RESULTS, "p1-abc", "minimal", calibrated)

    # party: (0.7-0.2)/0.55 = 0.909 against 0.3 -> strict; happy: 0.9/2 = 0.45 -> no tier;
    # sad has no calibration -> no tier.
    assert tags["nom:mood-strict"] == ["party"]
    assert tags["nom:mood-loose"] == ["party"]
    assert tags["nom:version"] == ["p1-abc;cal=7"]


def test_no_mood_tier_is_written_before_a_calibration_exists():
    tags = derive_tags(RESULTS, "p1-abc", "full")

    assert not [key for key in tags if key.startswith("nom:mood-")]
    assert tags["nom:mood_happy"] == ["0.9000"]
    assert tags["nom:version"] == ["p1-abc;cal=none"]


def test_empty_tiers_are_left_out_so_a_retag_removes_them():
    low = [result("mood_happy", ("happy", "non_happy"), [0.1, 0.9])]

    assert derive_tags(low, "v", "minimal", UNIT) == {"nom:version": ["v;cal=3"]}


@pytest.mark.parametrize(
    ("value", "opposite", "spread", "tier"),
    [
        (0.80, 0.60, 0.0, "strict"),  # ratio 1.33, gap 0.20
        (0.80, 0.66, 0.0, "regular"),  # ratio 1.21 but gap 0.14 < 0.15
        (0.90, 0.76, 0.0, "regular"),  # gap 0.14, ratio 1.18 < 1.20
        (0.79, 0.10, 0.0, "regular"),  # value below 0.80
        (0.75, 0.67, 0.0, "regular"),  # ratio 1.119, gap 0.08: the edge of regular
        (0.75, 0.70, 0.0, "loose"),  # ratio 1.07 < 1.10
        (0.74, 0.10, 0.0, "loose"),
        (0.60, 0.57, 0.0, "loose"),  # ratio 1.053, gap 0.03
        (0.60, 0.58, 0.0, None),  # gap 0.02 < 0.03
        (0.59, 0.00, 0.0, None),  # value below 0.60
        (0.70, 0.69, 0.0, None),  # ratio 1.014 < 1.02
        (1.00, 0.00, 0.0, "strict"),  # opposite 0: the ratio is unbounded
        (1.00, 0.00, 0.079, "strict"),  # below every spread gate
        (1.00, 0.00, 0.08, "regular"),  # spread >= 0.08: at most regular
        (0.76, 0.00, 0.10, "regular"),
        (1.00, 0.00, 0.15, "loose"),  # spread >= 0.15: at most loose
        (0.65, 0.00, 0.20, "loose"),
        (0.50, 0.00, 0.20, None),  # the gate never raises a tier
        (1.00, 0.00, 0.25, None),  # spread >= 0.25: no tier
    ],
)
def test_the_tier_cascade(value, opposite, spread, tier):
    assert MoodReading("happy", value, opposite, spread).tier() == tier


def test_opposing_moods_that_both_reach_a_tier_are_both_dropped():
    readings = [
        MoodReading("happy", 0.9, 0.1, 0.0),
        MoodReading("sad", 0.65, 0.3, 0.0),
        MoodReading("relaxed", 0.95, 0.0, 0.0),
        MoodReading("aggressive", 0.5, 0.4, 0.0),  # no tier: relaxed stays
        MoodReading("party", 0.85, 0.2, 0.0),
    ]

    assert mood_tiers(readings) == {
        "strict": ["relaxed", "party"],
        "regular": ["relaxed", "party"],
        "loose": ["relaxed", "party"],
    }


def test_tiers_are_cumulative_and_ordered_by_value():
    readings = [
        MoodReading("party", 0.65, 0.2, 0.0),
        MoodReading("happy", 0.78, 0.1, 0.0),
        MoodReading("dark", 0.85, 0.2, 0.0),
    ]

    assert mood_tiers(readings) == {
        "strict": ["dark"],
        "regular": ["dark", "happy"],
        "loose": ["dark", "happy", "party"],
    }


def test_the_spread_of_the_positive_class_gates_the_tier():
    wide = HeadResult(
        **{**vars(result("mood_happy", ("non_happy", "happy"), [0.0, 1.0])), "std": (0.01, 0.2)}
    )

    tags = derive_tags(
        [wide],
        "v",
        "minimal",
        TagRules(
            calibration=min_max_calibration(
                {("mood_happy", "happy"): (0.0, 1.0), ("mood_happy", "non_happy"): (0.0, 1.0)}
            )
        ),
    )

    assert tags["nom:mood-loose"] == ["happy"]
    assert "nom:mood-strict" not in tags


def test_a_regression_head_naming_one_class_writes_its_value_not_the_name():
    # e.g. engagement_regression's metadata lists ["engagement"]: the tag is the measurement.
    results = [result("engagement_regression", ("engagement",), [0.41372])]

    tags = derive_tags(results, "p1-abc", "full")

    assert tags["nom:engagement_regression"] == ["0.4137"]
    assert "nom:mood-loose" not in tags  # never a mood, whatever its value
