"""The import history: `GET /api/web/imports` (browser sessions and tokens, paginated,
filtered by status; items whose job ended without an outcome are settled from the job) and
the imports page in the menu."""

from __future__ import annotations

import pytest

from jobs.models import Job
from library.imports.intake import request_import
from library.models import ImportItem
from tests.library.imports.conftest import write

pytestmark = pytest.mark.django_db

URL = "/api/web/imports"


@pytest.fixture
def items(incoming, music):
    return [request_import(str(write(incoming / f"song{n}.mp3"))) for n in range(3)]


def test_the_history_lists_items_newest_first_with_their_outcome(token_holder, items):
    ImportItem.objects.filter(pk=items[0].pk).update(
        status="imported", message="Imported into Music", destination="/music/song0.mp3"
    )
    body = token_holder.get(f"{URL}?limit=2").json()
    assert (body["count"], body["limit"], body["offset"]) == (3, 2, 0)
    assert [row["id"] for row in body["results"]] == [items[2].pk, items[1].pk]
    last = token_holder.get(f"{URL}?limit=2&offset=2").json()["results"][0]
    assert last["status"] == "imported" and last["destination"] == "/music/song0.mp3"
    assert set(last) == {
        "id", "file_path", "resolved_path", "relative_path", "kind", "status", "message",
        "destination", "downloader_id", "job_id", "job_status", "created_at", "finished_at",
    }  # fmt: skip


def test_an_item_whose_job_was_cancelled_or_removed_is_settled_when_listed(token_holder, items):
    Job.objects.filter(pk=items[0].job_id).update(
        status=Job.Status.CANCELLED, error_message="Cancelled by the user"
    )
    Job.objects.filter(pk=items[1].job_id).delete()
    rows = {row["id"]: row for row in token_holder.get(URL).json()["results"]}
    assert (rows[items[0].pk]["status"], rows[items[0].pk]["message"]) == (
        "cancelled",
        "Cancelled by the user",
    )
    assert rows[items[1].pk]["status"] == "failed" and "removed" in rows[items[1].pk]["message"]
    assert rows[items[2].pk]["status"] == "pending"


def test_the_history_filters_by_status_and_refuses_an_unknown_one(token_holder, items):
    ImportItem.objects.filter(pk=items[0].pk).update(status="failed", message="x")
    body = token_holder.get(f"{URL}?status=failed").json()
    assert [row["id"] for row in body["results"]] == [items[0].pk]
    assert token_holder.get(f"{URL}?status=bogus").status_code == 400
    assert token_holder.get(f"{URL}?limit=zero").status_code == 400


def test_the_history_is_for_browser_sessions_and_tokens_only(anonymous, key_holder, db):
    assert anonymous.get(URL).status_code == 401
    assert key_holder.get(URL).status_code == 403


def test_the_imports_page_is_in_the_menu_and_needs_a_login(admin_browser, client, db):
    page = admin_browser.get("/web/imports")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-list-url="/api/web/imports"' in html and "js/imports.js" in html
    assert 'href="/web/imports"' in admin_browser.get("/web/series").content.decode()
    assert client.get("/web/imports").status_code == 302
