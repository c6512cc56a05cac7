"""The one namespace rule: which tag keys are ours, and the shape the database keeps them in."""

from __future__ import annotations

import pytest

from library.scanning.track_fields import stored_namespace
from library.tagfiles.formats import in_namespace


@pytest.mark.parametrize(
    ("key", "ours"),
    [("nom:mood-strict", True), ("NOM:Version", True), ("nomx:mood", False), ("nom", False)],
)
def test_a_key_is_ours_when_it_starts_with_the_namespace_in_any_case(key, ours):
    assert in_namespace(key, "nom") is ours


def test_stored_namespace_tags_are_lower_case_stripped_and_merged():
    tags = {"NOM:a": [" x ", ""], "nom:A": ["y"], "nom:b": ["z"], "nom:c": [" "]}
    assert stored_namespace(tags) == {"nom:a": ["x", "y"], "nom:b": "z"}
