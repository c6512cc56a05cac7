"""Model discovery: Essentia's layout and metadata, heads grouped under their embedding, and
every unusable file reported as a problem instead of an exception."""

from __future__ import annotations

import json
import shutil

import pytest

from library.tagging.model_suite import (
    calibration_sidecar_name,
    discover,
    file_sha256,
    is_calibration_sidecar,
)
from tests.support.graphs import EFFNET, MUSICNN, write_backbone, write_head, write_standard_suite


def problems_of(suite) -> dict[str, str]:
    return {p.path.rsplit("/", 1)[-1]: p.message for p in suite.problems}


def test_heads_are_grouped_under_their_embedding_model(models_dir):
    suite = discover(models_dir)

    assert suite.problems == ()
    grouped = {e.name: [h.name for h in e.heads] for e in suite.embeddings}
    assert grouped == {
        "discogs-effnet-bs64-1": [
            "approachability_regression",
            "danceability",
            "genre_discogs400",
            "mood_happy",
            "mood_sad",
        ],
        "msd-musicnn-1": ["danceability_musicnn", "mood_relaxed"],
        "audioset-vggish-3": ["mood_party"],
    }


def test_node_names_classes_and_checksums_come_from_the_files(models_dir):
    suite = discover(models_dir)
    effnet = suite.embeddings[0]

    assert effnet.meta.input_name == "serving_default_melspectrogram"
    assert effnet.output_name == "PartitionedCall:1" and effnet.size == 1280
    assert suite.head("mood_sad").classes == ("non_sad", "sad")
    assert suite.head("mood_happy").output_name == "model/Softmax"
    assert suite.head("genre_discogs400").meta.input_name == "serving_default_model_Placeholder"
    assert suite.head("genre_discogs400").output_name == "PartitionedCall:0"
    assert suite.head("approachability_regression").classes is None
    head = suite.head("mood_happy")
    assert head.file.sha256 == file_sha256(head.file.path) and len(head.file.sha256) == 64


def test_the_suite_version_changes_when_a_model_changes(tmp_path):
    write_standard_suite(tmp_path)
    before = discover(tmp_path).version
    assert discover(tmp_path).version == before

    write_head(tmp_path, "mood_happy", EFFNET, ["happy", "non_happy"], seed=99)

    assert discover(tmp_path).version != before


def test_a_head_whose_embedding_is_missing_is_reported(tmp_path):
    write_backbone(tmp_path, EFFNET)
    write_head(tmp_path, "mood_happy", EFFNET, ["happy", "non_happy"])
    write_head(tmp_path, "mood_relaxed", MUSICNN, ["non_relaxed", "relaxed"])

    suite = discover(tmp_path)

    assert [h.name for h in suite.heads] == ["mood_happy"]
    assert problems_of(suite) == {
        "mood_relaxed-msd-musicnn-1.pb": "embedding model 'msd-musicnn-1' is missing"
    }


def test_missing_invalid_and_incompatible_metadata_are_reported(tmp_path):
    write_backbone(tmp_path, EFFNET)
    ok = write_head(tmp_path, "mood_happy", EFFNET, ["happy", "non_happy"])
    heads = ok.parent.parent
    shutil.copy(ok, heads / "no_json-discogs-effnet-1.pb")
    (heads / "broken-discogs-effnet-1.pb").write_bytes(ok.read_bytes())
    (heads / "broken-discogs-effnet-1.json").write_text("{not json")
    odd = json.loads(ok.with_suffix(".json").read_text())
    odd["inference"]["algorithm"] = "TensorflowPredictMagic"
    (heads / "odd-discogs-effnet-1.pb").write_bytes(ok.read_bytes())
    (heads / "odd-discogs-effnet-1.json").write_text(json.dumps(odd))
    wrong = json.loads(ok.with_suffix(".json").read_text())
    wrong["classes"] = ["a", "b", "c"]
    (heads / "wrong-discogs-effnet-1.pb").write_bytes(ok.read_bytes())
    (heads / "wrong-discogs-effnet-1.json").write_text(json.dumps(wrong))
    (heads / "orphan-discogs-effnet-1.json").write_text(json.dumps(wrong))

    found = problems_of(discover(tmp_path))

    assert (
        found["no_json-discogs-effnet-1.pb"]
        == "no_json-discogs-effnet-1.json: metadata file is missing"
    )
    assert "not valid JSON" in found["broken-discogs-effnet-1.pb"]
    assert "unknown algorithm 'TensorflowPredictMagic'" in found["odd-discogs-effnet-1.pb"]
    assert found["wrong-discogs-effnet-1.pb"] == (
        "declares 3 class(es) but its output 'model/Softmax' has 2 values"
    )
    assert found["orphan-discogs-effnet-1.json"] == "metadata without its .pb graph"


def test_calibration_sidecars_beside_the_heads_are_not_reported_as_problems(models_dir):
    heads = next(models_dir.rglob("mood_happy-discogs-effnet-1.pb")).parent
    (heads / "mood_happy-calibration.json").write_text("{}")
    (heads / "mood_happy-calibration-v3.json").write_text("{}")

    assert discover(models_dir).problems == ()


@pytest.mark.parametrize("version", [None, 1, 12])
def test_the_names_calibration_writes_sidecars_under_are_the_names_discovery_skips(version):
    name = calibration_sidecar_name("mood_happy", version)
    assert is_calibration_sidecar(name)
    assert not is_calibration_sidecar("mood_happy-discogs-effnet-1.json")


def test_a_head_built_for_another_embedding_size_is_reported(tmp_path):
    write_backbone(tmp_path, EFFNET)
    write_backbone(tmp_path, MUSICNN)
    path = write_head(tmp_path, "mood_happy", MUSICNN, ["happy", "non_happy"])
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["inference"]["embedding_model"]["model_name"] = "discogs-effnet-bs64-1"
    path.with_suffix(".json").write_text(json.dumps(meta))

    found = problems_of(discover(tmp_path))

    assert found[path.name] == "expects 200-d embeddings, discogs-effnet-bs64-1 gives 1280-d"


def test_a_missing_or_empty_models_folder_is_a_problem_not_an_error(tmp_path):
    assert discover(tmp_path / "nowhere").problems[0].message == "models folder does not exist"
    assert discover(tmp_path).problems[0].message == "no usable classifier heads"


def test_a_cut_off_graph_is_reported_before_any_job_loads_it(tmp_path):
    write_backbone(tmp_path, EFFNET)
    ok = write_head(tmp_path, "mood_happy", EFFNET, ["happy", "non_happy"])
    cut = write_head(tmp_path, "mood_sad", EFFNET, ["non_sad", "sad"])
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size * 2 // 3])  # a copy that stopped short

    suite = discover(tmp_path)

    assert [h.name for h in suite.heads] == ["mood_happy"]
    assert ok.exists()
    message = problems_of(suite)["mood_sad-discogs-effnet-1.pb"]
    assert message.startswith("mood_sad-discogs-effnet-1.pb is not a complete TensorFlow graph")


def test_a_graph_without_a_node_its_metadata_names_is_reported(tmp_path):
    write_backbone(tmp_path, EFFNET)
    head = write_head(tmp_path, "mood_happy", EFFNET, ["happy", "non_happy"])
    meta_path = head.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta["schema"]["outputs"][0]["name"] = "model/Renamed"
    meta_path.write_text(json.dumps(meta))

    suite = discover(tmp_path)

    assert suite.heads == ()
    assert problems_of(suite)["mood_happy-discogs-effnet-1.pb"].startswith(
        "mood_happy-discogs-effnet-1.pb has no node named 'model/Renamed', which "
        "mood_happy-discogs-effnet-1.json declares"
    )


def test_graphs_are_checked_once_until_they_change(tmp_path, monkeypatch):
    from library.tagging import graphfile

    write_standard_suite(tmp_path)
    discover(tmp_path)
    reads = []
    real = graphfile.read_node_names
    monkeypatch.setattr(graphfile, "read_node_names", lambda path: reads.append(path) or real(path))

    discover(tmp_path)
    assert reads == []  # unchanged files: the earlier verdicts stand
    changed = write_head(tmp_path, "mood_happy", EFFNET, ["happy", "non_happy"], seed=7)
    discover(tmp_path)
    assert reads == [changed]


def test_a_regression_head_as_essentia_publishes_it_is_read_as_regression(tmp_path):
    # Essentia's regression heads list the measured quantity as their only "class" and output
    # it through model/Identity; that one value is the measurement, not a class probability.
    write_backbone(tmp_path, EFFNET)
    path = write_head(tmp_path, "engagement_regression", EFFNET, ["engagement"], regression=True)
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["classes"] == ["engagement"]
    assert meta["schema"]["outputs"][0]["op"] == "Identity"

    suite = discover(tmp_path)

    assert suite.problems == ()
    head = suite.head("engagement_regression")
    assert head.classes is None
    assert head.output_name == "model/Identity"
