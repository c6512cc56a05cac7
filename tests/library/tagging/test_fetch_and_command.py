"""`nom models fetch` against a local HTTP server (resume, checksum, graph checks, the manifest,
offline), `nom models verify`, `nom models list` and the system check for missing models."""

from __future__ import annotations

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from library import checks
from library.tagging import model_sets
from library.tagging.fetch import MANIFEST, FetchError, download
from library.tagging.model_sets import ModelDownload
from tests.support.model_server import JSON, PB, url


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(server, folder, files=(PB, JSON), err: StringIO | None = None) -> tuple[str, str]:
    """`nom models fetch` of a set holding `files`; returns stdout and stderr."""
    out, err = StringIO(), err or StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(model_sets.MODEL_SETS, "default", list(files))
        call_command(
            "models",
            "fetch",
            "--dir",
            str(folder),
            "--base-url",
            url(server),
            stdout=out,
            stderr=err,
        )
    return out.getvalue(), err.getvalue()


def verify(folder) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("models", "verify", "--dir", str(folder), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def flip_a_byte(path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_file_is_downloaded_and_checked_against_its_checksum(server, model, tmp_path):
    item = ModelDownload("fe/net.pb", sha256(model["graph"]))

    assert download(item, tmp_path, url(server)) is True
    assert (tmp_path / "fe/net.pb").read_bytes() == model["graph"]
    assert download(item, tmp_path, url(server)) is False  # already there and verified


def test_an_interrupted_download_resumes_from_the_part_file(server, model, tmp_path):
    server.cut_after = 30_000
    item = ModelDownload("fe/net.pb", sha256(model["graph"]))

    with pytest.raises(FetchError, match="run the command again to resume"):
        download(item, tmp_path, url(server))
    assert (tmp_path / "fe/net.pb.part").stat().st_size == 30_000

    download(item, tmp_path, url(server))

    assert server.ranges == ["", "bytes=30000-"]
    assert (tmp_path / "fe/net.pb").read_bytes() == model["graph"]
    assert not (tmp_path / "fe/net.pb.part").exists()


def test_a_checksum_mismatch_discards_the_download(server, tmp_path):
    item = ModelDownload("fe/net.pb", "0" * 64)

    with pytest.raises(FetchError, match="checksum mismatch"):
        download(item, tmp_path, url(server))

    assert not (tmp_path / "fe/net.pb").exists()
    assert not (tmp_path / "fe/net.pb.part").exists()


def test_an_unreachable_server_fails_with_a_clear_message(tmp_path):
    with pytest.raises(FetchError, match="Cannot reach 127.0.0.1:9 .*download .* by hand"):
        download(ModelDownload("fe/net.pb"), tmp_path, "http://127.0.0.1:9", timeout=2)


def test_a_missing_file_on_the_server_names_the_http_status(server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 404"):
        download(ModelDownload("fe/absent.pb"), tmp_path, url(server))


def test_the_fetch_command_downloads_a_set_with_a_progress_bar(server, tmp_path):
    out, err = fetch(server, tmp_path)

    assert "2 downloaded, 0 already present" in out
    assert "net.pb [##############################] 100%" in err


def test_the_metadata_is_fetched_before_its_graph_whatever_the_set_order(server, tmp_path):
    fetch(server, tmp_path, files=(PB, JSON))

    assert server.requested == ["fe/net.json", "fe/net.pb"]
    for files in model_sets.MODEL_SETS.values():
        order = [item.path for item in files]
        for index, path in enumerate(order):
            if path.endswith(".pb"):
                assert path.removesuffix(".pb") + ".json" in order[:index], path


def test_a_truncated_graph_of_full_announced_length_is_refused_and_discarded(
    server, model, tmp_path
):
    """The mirror holds a cut-off file and announces its (short) length: resuming cannot fix
    those bytes, so the .part goes; a dropped connection keeps it (see the resume test)."""
    server.files["fe/net.pb"] = model["graph"][: len(model["graph"]) * 2 // 3]

    with pytest.raises(CommandError, match="net.pb is not a complete TensorFlow graph"):
        fetch(server, tmp_path)

    assert not (tmp_path / "fe/net.pb").exists()
    assert not (tmp_path / "fe/net.pb.part").exists()
    assert (tmp_path / "fe/net.json").exists()


def test_an_error_page_served_as_a_graph_is_refused(server, tmp_path):
    server.files["fe/net.pb"] = b"<html><body>Rate limit exceeded</body></html>"

    with pytest.raises(FetchError, match="not a complete TensorFlow graph"):
        download(PB, tmp_path, url(server))

    assert not (tmp_path / "fe/net.pb").exists()


def test_a_graph_without_a_node_its_metadata_declares_is_refused_naming_it(server, model, tmp_path):
    server.files["fe/net.pb"] = model["regression"]  # model/Identity instead of model/Softmax

    with pytest.raises(CommandError) as failure:
        fetch(server, tmp_path)

    assert "net.pb has no node named 'model/Softmax', which net.json declares" in str(failure.value)
    assert not (tmp_path / "fe/net.pb").exists()
    assert not (tmp_path / "fe/net.pb.part").exists()


def test_a_good_download_records_its_checksum_in_the_manifest(server, model, tmp_path):
    fetch(server, tmp_path)

    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest == {
        "version": 1,
        "files": {
            "fe/net.json": {"sha256": sha256(model["meta"]), "size": len(model["meta"])},
            "fe/net.pb": {"sha256": sha256(model["graph"]), "size": len(model["graph"])},
        },
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "fe"]  # no temporary left


def test_verify_passes_for_untouched_files(server, tmp_path):
    fetch(server, tmp_path)

    out, err = verify(tmp_path)

    assert "2 of 2 files unchanged since they were fetched" in out
    assert err == ""


def test_verify_reports_a_file_altered_after_it_was_fetched_and_fails(server, tmp_path):
    fetch(server, tmp_path)
    flip_a_byte(tmp_path / "fe/net.pb")
    err = StringIO()

    with pytest.raises(CommandError, match=r"1 model file\(s\) failed verification: fe/net.pb$"):
        call_command("models", "verify", "--dir", str(tmp_path), stdout=StringIO(), stderr=err)

    assert "fe/net.pb changed since it was fetched (sha256 " in err.getvalue()


def test_verify_reports_a_fetched_file_that_is_gone_or_resized(server, tmp_path):
    fetch(server, tmp_path)
    (tmp_path / "fe/net.json").unlink()
    with (tmp_path / "fe/net.pb").open("ab") as graph:
        graph.write(b"\x00")
    err = StringIO()

    with pytest.raises(CommandError, match="2 model file"):
        call_command("models", "verify", "--dir", str(tmp_path), stdout=StringIO(), stderr=err)

    assert "fe/net.json was fetched but is missing" in err.getvalue()
    assert "fe/net.pb changed since it was fetched (" in err.getvalue()
    assert "bytes now" in err.getvalue()


def test_verify_without_a_manifest_says_there_is_nothing_to_check(tmp_path):
    out, _ = verify(tmp_path)

    assert "Nothing to verify" in out


def test_a_later_fetch_reports_a_changed_file_and_leaves_it_alone(server, tmp_path):
    fetch(server, tmp_path)
    flip_a_byte(tmp_path / "fe/net.pb")
    altered = (tmp_path / "fe/net.pb").read_bytes()

    with pytest.raises(CommandError, match="failed verification: fe/net.pb$"):
        fetch(server, tmp_path)

    assert (tmp_path / "fe/net.pb").read_bytes() == altered
    assert server.requested == ["fe/net.json", "fe/net.pb"]  # nothing downloaded again


def test_a_changed_file_is_still_reported_when_a_later_download_fails(server, tmp_path):
    fetch(server, tmp_path)
    flip_a_byte(tmp_path / "fe/net.json")
    absent = ModelDownload("fe/absent.json")
    err = StringIO()

    with pytest.raises(CommandError, match="HTTP 404"):
        fetch(server, tmp_path, files=(JSON, PB, absent), err=err)

    assert "fe/net.json changed since it was fetched" in err.getvalue()


def test_a_pinned_checksum_wins_over_the_manifest(server, model, tmp_path, monkeypatch):
    fetch(server, tmp_path)  # recorded with the right checksum
    wrong = ModelDownload("fe/net.pb", "0" * 64)

    with pytest.raises(CommandError, match="checksum mismatch"):
        fetch(server, tmp_path, files=(JSON, wrong))
    assert server.requested[-1] == "fe/net.pb"  # the pin failed, so it was fetched again

    monkeypatch.setitem(model_sets.MODEL_SETS, "pinned", [JSON, wrong])
    err = StringIO()
    with pytest.raises(CommandError, match="failed verification: fe/net.pb$"):
        call_command("models", "verify", "--dir", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "does not match its pinned sha256" in err.getvalue()

    # and a right pin is enough, even where the manifest recorded other bytes
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["files"]["fe/net.pb"]["sha256"] = "1" * 64
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    right = ModelDownload("fe/net.pb", sha256(model["graph"]))
    monkeypatch.setitem(model_sets.MODEL_SETS, "pinned", [JSON, right])
    assert download(right, tmp_path, url(server)) is False
    assert "2 of 2 files unchanged" in verify(tmp_path)[0]


def test_a_corrupt_manifest_fails_with_a_clear_message(server, tmp_path):
    (tmp_path / MANIFEST).write_text("{not json")

    with pytest.raises(CommandError, match="cannot be read .*delete it to start afresh"):
        verify(tmp_path)
    with pytest.raises(CommandError, match="delete it to start afresh"):
        fetch(server, tmp_path)


def test_the_fetch_command_offline_fails_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="Cannot reach 127.0.0.1:9"):
        call_command(
            "models",
            "fetch",
            "--dir",
            str(tmp_path),
            "--base-url",
            "http://127.0.0.1:9",
            stdout=StringIO(),
            stderr=StringIO(),
        )


def test_the_list_command_shows_embeddings_heads_problems_and_the_engine(db, models_dir, tmp_path):
    out = StringIO()

    call_command("models", "list", "--dir", str(models_dir), stdout=out)

    text = out.getvalue()
    assert "discogs-effnet-bs64-1" in text and "TensorflowPredictEffnetDiscogs" in text
    assert "mood_sad" in text and "non_sad, sad" in text
    assert "Suite version: p1-" in text
    assert "Inference: " in text

    out = StringIO()
    call_command("models", "list", "--dir", str(tmp_path / "none"), stdout=out)
    assert "models folder does not exist" in out.getvalue()


def test_the_system_check_reports_a_missing_models_folder(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("NOMARR_MODELS_DIR", str(tmp_path / "absent"))

    messages = checks.tagging_models(None)

    assert [m.id for m in messages] == ["library.W001"]
    assert str(tmp_path / "absent") in messages[0].msg


def test_the_system_check_reports_each_unusable_model(models_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NOMARR_MODELS_DIR", str(models_dir))
    assert checks.tagging_models(None) == []

    (tmp_path / "lonely-discogs-effnet-1.json").write_text("{}")
    monkeypatch.setenv("NOMARR_MODELS_DIR", str(tmp_path))
    ids = [m.id for m in checks.tagging_models(None)]

    assert ids == ["library.W002", "library.W003"]
