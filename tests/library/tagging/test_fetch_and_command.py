"""`nom models fetch` against a local HTTP server (resume, checksum, offline), `nom models list`
and the system check that reports missing or unusable models."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from library import checks
from library.tagging import model_sets
from library.tagging.fetch import FetchError, download
from library.tagging.model_sets import ModelDownload

GRAPH = bytes(range(256)) * 400  # 100 KiB
META = json.dumps({"name": "x"}).encode()


class Server(ThreadingHTTPServer):
    files: dict[str, bytes]
    cut_after: int | None = None  # send only this many bytes of a full response, then hang up
    ranges: list[str]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = self.server.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404)
            return
        requested = self.headers.get("Range")
        self.server.ranges.append(requested or "")
        start = int(re.match(r"bytes=(\d+)-", requested).group(1)) if requested else 0
        if start >= len(body):
            self.send_error(416)
            return
        self.send_response(206 if requested else 200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        payload = body[start:]
        if self.server.cut_after is not None:
            payload = payload[: self.server.cut_after]
            self.server.cut_after = None
        self.wfile.write(payload)


@pytest.fixture
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.files = {"fe/net.pb": GRAPH, "fe/net.json": META}
    httpd.ranges = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_a_file_is_downloaded_and_checked_against_its_checksum(server, tmp_path):
    item = ModelDownload("fe/net.pb", hashlib.sha256(GRAPH).hexdigest())

    assert download(item, tmp_path, url(server)) is True
    assert (tmp_path / "fe/net.pb").read_bytes() == GRAPH
    assert download(item, tmp_path, url(server)) is False  # already there and verified


def test_an_interrupted_download_resumes_from_the_part_file(server, tmp_path):
    server.cut_after = 30_000
    item = ModelDownload("fe/net.pb", hashlib.sha256(GRAPH).hexdigest())

    with pytest.raises(FetchError, match="run the command again to resume"):
        download(item, tmp_path, url(server))
    assert (tmp_path / "fe/net.pb.part").stat().st_size == 30_000

    download(item, tmp_path, url(server))

    assert server.ranges == ["", "bytes=30000-"]
    assert (tmp_path / "fe/net.pb").read_bytes() == GRAPH
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


def test_the_fetch_command_downloads_a_set_with_a_progress_bar(server, tmp_path, monkeypatch):
    monkeypatch.setitem(
        model_sets.MODEL_SETS, "default", [ModelDownload("fe/net.pb"), ModelDownload("fe/net.json")]
    )
    out, err = StringIO(), StringIO()

    call_command(
        "models", "fetch", "--dir", str(tmp_path), "--base-url", url(server), stdout=out, stderr=err
    )

    assert "2 downloaded, 0 already present" in out.getvalue()
    assert "net.pb [##############################] 100%" in err.getvalue()


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


def test_the_list_command_shows_embeddings_heads_and_problems(models_dir, tmp_path):
    out = StringIO()

    call_command("models", "list", "--dir", str(models_dir), stdout=out)

    text = out.getvalue()
    assert "discogs-effnet-bs64-1" in text and "TensorflowPredictEffnetDiscogs" in text
    assert "mood_sad" in text and "non_sad, sad" in text
    assert "Suite version: p1-" in text

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
