"""One event client in the browser: only static/js/events.js opens an EventSource or WebSocket,
no page script hard-codes an API or page URL (templates give them as data-* attributes), and every
page script is an ES module."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((REPO / "static" / "js").glob("*.js"))
TEMPLATES = sorted(REPO.glob("templates/**/*.html")) + sorted(REPO.glob("*/templates/**/*.html"))
# A string literal that starts with one of our URL prefixes: "/api/…", '/web/…', `/ws/…`.
URL_LITERAL = re.compile(r"""["'`](/api/|/web/|/ws/)""")


def test_the_scripts_are_found():
    assert {path.name for path in SCRIPTS} >= {"events.js", "queue.js", "app.js"}


def test_only_events_js_opens_an_event_source_or_a_websocket():
    openers = [
        path.name
        for path in SCRIPTS
        if re.search(r"new\s+(EventSource|WebSocket)\b", path.read_text())
    ]
    assert openers == ["events.js"]
    assert "new WebSocket" not in (REPO / "static" / "js" / "events.js").read_text()


def test_no_script_hard_codes_an_api_or_page_url():
    found = {
        f"{path.name}:{number}: {line.strip()}"
        for path in SCRIPTS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if URL_LITERAL.search(line) and not line.lstrip().startswith("//")
    }
    assert found == set()


def test_every_page_script_is_an_es_module():
    tags = [
        (template.relative_to(REPO), tag)
        for template in TEMPLATES
        for tag in re.findall(r"<script\b[^>]*>", template.read_text())
    ]
    assert tags, "the templates load scripts"
    assert [(name, tag) for name, tag in tags if 'type="module"' not in tag] == []
    for path in SCRIPTS:
        text = path.read_text()
        assert "window.nomarr" not in text, path.name  # modules import, they share no globals
        assert re.search(r"^(import|export) ", text, flags=re.M), path.name
