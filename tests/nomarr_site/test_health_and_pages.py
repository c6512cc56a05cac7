"""Health probes, info, pages, docs and the schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_health_is_public_and_small(anonymous):
    body = anonymous.get("/health").json()
    assert body["status"] == "healthy"
    assert set(body) == {"status", "timestamp", "version"}


def test_detailed_health_reports_each_dependency(key_holder):
    response = key_holder.get("/health/detailed")
    assert response.status_code == 200
    body = response.json()
    deps = body["dependencies"]
    assert deps["database"]["status"] == "healthy"
    assert deps["database"]["connection_time_ms"] >= 0
    assert deps["filesystem"]["data_dir_writable"] is True
    assert {"cpu_percent", "memory_percent", "disk_free_mb", "uptime_seconds"} <= set(
        deps["system"]
    )
    assert "alive" in deps["workers"]
    assert body["startup_time"].endswith("Z")


def test_detailed_health_is_503_when_the_database_is_down(anonymous, monkeypatch):
    from nomarr_site import health

    class BrokenCursor:
        def __enter__(self):
            raise health.connection.OperationalError("database is gone")

        def __exit__(self, *args):
            return False

    from django.db import OperationalError

    health.connection.OperationalError = OperationalError
    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())
    response = anonymous.get("/health/detailed")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


def _heartbeat():
    """A live worker cluster, so the detailed report names a host and a PID."""
    from django.utils import timezone

    from jobs.models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="c1",
        kind=WorkerHeartbeat.CLUSTER,
        cluster_id="c1",
        host="secret-host.lan",
        pid=424242,
        started_at=now,
        last_seen=now,
    )


def test_detailed_health_shows_strangers_statuses_only(anonymous, settings):
    import json
    import socket

    _heartbeat()
    response = anonymous.get("/health/detailed")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] in ("healthy", "degraded")
    assert body["dependencies"]["database"] == {"status": "healthy"}
    assert body["dependencies"]["workers"] == {"status": "healthy", "alive": True}
    text = json.dumps(body)
    for secret in (str(settings.DATA_DIR), "secret-host.lan", "424242", socket.gethostname()):
        assert secret not in text


def test_detailed_health_shows_the_full_report_to_a_logged_in_admin(admin_browser, settings):
    _heartbeat()
    body = admin_browser.get("/health/detailed").json()
    assert body["dependencies"]["filesystem"]["data_dir"] == str(settings.DATA_DIR)
    cluster = body["dependencies"]["workers"]["details"][0]
    assert (cluster["host"], cluster["pid"]) == ("secret-host.lan", 424242)


def test_info_without_a_key_names_no_filesystem_path(anonymous, key_holder, settings, tmp_path):
    import json

    from nomarr_site import config

    models = tmp_path / "private-models-folder"
    models.mkdir()
    (models / "broken.json").write_text("{")
    config.set_value("models_dir", str(models))
    body = anonymous.get("/api/v1/info").json()
    text = json.dumps(body)
    assert "private-models-folder" not in text
    assert str(settings.DATA_DIR) not in text
    assert body["models"]["problem_count"] >= 1
    full = key_holder.get("/api/v1/info").json()["models"]
    assert full["directory"] == str(models)
    assert full["problems"]


def test_info_is_public(anonymous):
    body = anonymous.get("/api/v1/info").json()
    assert body["version"]
    assert body["libraries"]["configured"] == 0
    assert "worker" in body


def test_pages_redirect_to_setup_then_login(client):
    response = client.get("/web/dashboard")
    assert response.status_code == 302
    assert response["Location"].startswith("/web/login")
    assert client.get("/web/login")["Location"] == "/web/setup"


def test_setup_page_sets_the_password_and_logs_in(client):
    page = client.get("/web/setup")
    assert page.status_code == 200
    response = client.post("/web/setup", {"password": "Fresh-Start-1", "confirm": "Fresh-Start-1"})
    assert response.status_code == 302
    assert client.get("/web/dashboard").status_code == 200


def test_login_page_logs_in_and_logout_ends_the_session(client, admin_user):
    from tests.conftest import ADMIN_PASSWORD

    bad = client.post("/web/login", {"password": "wrong"})
    assert bad.status_code == 401
    assert b"Wrong password" in bad.content
    good = client.post("/web/login", {"password": ADMIN_PASSWORD})
    assert good.status_code == 302
    assert client.get("/web/settings").status_code == 200
    client.post("/web/logout")
    assert client.get("/web/settings").status_code == 302


def test_login_page_does_not_redirect_off_site(client, admin_user):
    from tests.conftest import ADMIN_PASSWORD

    response = client.post(
        "/web/login", {"password": ADMIN_PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/web/dashboard"


@pytest.mark.parametrize(
    "url",
    [
        "/web/dashboard",
        "/web/queue",
        "/web/libraries",
        "/web/process",
        "/web/series",
        "/web/downloads",
        "/web/servers",
        "/web/invitations",
        "/web/users",
        "/web/settings",
        "/web/calibration",
        "/web/analytics",
        "/web/navidrome",
    ],
)
def test_every_navigation_link_works(admin_browser, url):
    response = admin_browser.get(url)
    assert response.status_code == 200
    assert b'id="main-nav"' in response.content


def test_every_menu_item_leads_to_a_route():
    from django.urls import resolve

    from nomarr_site.context_processors import menu_pages

    for _key, _label, url in menu_pages():
        resolve(url)  # raises Resolver404 for a menu item without a page


def test_backoffice_lists_api_keys_without_secrets(admin_browser, api_key):
    response = admin_browser.get("/backoffice/nomarr_site/apikey/")
    assert response.status_code == 200
    assert api_key.prefix.encode() in response.content
    assert api_key.key_hash.encode() not in response.content


def _references(html: str) -> list[str]:
    """Every URL the page loads: src and href attributes, plus URLs inside inline scripts."""
    import re

    attributes = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    inline = "".join(re.findall(r"<script>(.*?)</script>", html, flags=re.S))
    return attributes + re.findall(r"""(?:https?:)?//[^\s"'`)]+""", inline)


def _is_local(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


@pytest.mark.parametrize("url", ["/api/docs", "/api/redoc"])
def test_api_docs_load_nothing_from_another_host(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 200
    html = b"".join(response).decode() if response.streaming else response.content.decode()
    references = _references(html)
    assert references, "the page references its scripts"
    assert [ref for ref in references if not _is_local(ref)] == []
    for ref in references:
        if ref.startswith("/api/schema"):
            continue
        asset = anonymous.get(ref)
        assert asset.status_code == 200, ref
        if ref.endswith(".css"):
            body = b"".join(asset.streaming_content) if asset.streaming else asset.content
            assert b"url(http" not in body and b"@import" not in body, ref


def test_swagger_loads_no_validator_badge_from_another_host(anonymous):
    html = anonymous.get("/api/docs").content.decode()
    assert '"validatorUrl": null' in html


def test_favicon_is_served_at_the_root_without_a_login(anonymous):
    response = anonymous.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age" in response["Cache-Control"]


def test_schema_validates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_an_unknown_page_is_a_404_page_with_the_navigation(admin_browser):
    response = admin_browser.get("/web/no-such-page")
    assert response.status_code == 404
    assert b'id="main-nav"' in response.content
    assert b"/web/no-such-page" in response.content
