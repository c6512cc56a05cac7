"""Tag derivation from pooled scores: head values by class name, mood tiers from calibrated
scores, the version tag, and what each file_write_mode writes."""

from __future__ import annotations

import pytest

from library.tagging.pipeline import HeadResult
from library.tagging.tag_values import (
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
    result("mood_sad", ("non_sad", "sad"), [0.3, 0.7]),
    result("mood_party", ("non_party", "party"), [0.45, 0.55]),
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


def test_full_mode_writes_every_head_tiers_and_version():
    tags = derive_tags(RESULTS, "p1-abc", "full")

    assert tags == {
        "nom:mood_happy": ["0.9000"],
        "nom:mood_sad": ["0.7000"],
        "nom:mood_party": ["0.5500"],
        "nom:mood_relaxed_musicnn": ["1.0000"],
        "nom:danceability": ["0.2500"],
        "nom:genre_discogs400": ["Rock---Punk", "Pop---Indie", "Folk---Folk"],
        "nom:gender": ["male"],
        "nom:approachability_regression": ["0.6124"],
        "nom:mood-strict": ["happy"],
        "nom:mood-regular": ["happy", "sad"],
        "nom:mood-loose": ["happy", "sad", "party"],
        "nom:version": ["p1-abc;cal=none"],
    }


def test_minimal_mode_writes_only_tiers_and_version_and_none_writes_nothing():
    minimal = derive_tags(RESULTS, "p1-abc", "minimal", TagRules(namespace="mine"))

    assert sorted(minimal) == [
        "mine:mood-loose",
        "mine:mood-regular",
        "mine:mood-strict",
        "mine:version",
    ]
    assert derive_tags(RESULTS, "p1-abc", "none") == {}
    with pytest.raises(ValueError, match="file_write_mode"):
        derive_tags(RESULTS, "p1-abc", "everything")


def test_calibration_is_applied_before_the_tier_thresholds():
    calibrated = TagRules(
        calibration=min_max_calibration({"mood_party": (0.2, 0.6), "mood_happy": (0.0, 2.0)}),
        calibration_version="c7",
    )

    tags = derive_tags(RESULTS, "p1-abc", "minimal", calibrated)

    # party: (0.55-0.2)/0.4 = 0.875 -> strict; happy: 0.9/2 = 0.45 -> no tier
    assert tags["nom:mood-strict"] == ["party"]
    assert tags["nom:mood-loose"] == ["party", "sad"]
    assert tags["nom:version"] == ["p1-abc;cal=c7"]


def test_empty_tiers_are_left_out_so_a_retag_removes_them():
    low = [result("mood_happy", ("happy", "non_happy"), [0.1, 0.9])]

    assert derive_tags(low, "v", "minimal") == {"nom:version": ["v;cal=none"]}


def test_tiers_use_custom_thresholds():
    rules = TagRules(strict=0.95, regular=0.5, loose=0.1)

    assert mood_tiers({"happy": 0.9, "sad": 0.2}, rules) == {
        "strict": [],
        "regular": ["happy"],
        "loose": ["happy", "sad"],
    }


def test_a_regression_head_naming_one_class_writes_its_value_not_the_name():
    # e.g. engagement_regression's metadata lists ["engagement"]: the tag is the measurement.
    results = [result("engagement_regression", ("engagement",), [0.41372])]

    tags = derive_tags(results, "p1-abc", "full")

    assert tags["nom:engagement_regression"] == ["0.4137"]
    assert "nom:mood-loose" not in tags  # never a mood, whatever its value
