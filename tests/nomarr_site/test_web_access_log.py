"""The web process's access log: credentials in query strings never reach it."""

from __future__ import annotations

import pytest

from nomarr_site.web import REDACTED, RedactingServer, redact


@pytest.mark.parametrize(
    ("uri", "logged"),
    [
        ("/api/v1/webhooks/lidarr?apikey=nmr_abc", f"/api/v1/webhooks/lidarr?apikey={REDACTED}"),
        ("/ws/connect?token=t0k&room=queue", f"/ws/connect?token={REDACTED}&room=queue"),
        ("/x?APIKEY=a&Api_Key=b&key=c", f"/x?APIKEY={REDACTED}&Api_Key={REDACTED}&key={REDACTED}"),
        ("/x?api%5Fkey=a", f"/x?api%5Fkey={REDACTED}"),  # an encoded name is still a key
        (
            "/x?access_token=a&session_token=b",
            f"/x?access_token={REDACTED}&session_token={REDACTED}",
        ),
        ("/x?password=hunter2", f"/x?password={REDACTED}"),
    ],
)
def test_credential_parameters_are_redacted(uri, logged):
    assert redact(uri) == logged


@pytest.mark.parametrize(
    "uri",
    [
        "/api/web/queue/list?limit=25&offset=50&status=error",
        "/health",
        "/x?",
        "/x?flag&apikey",  # names without a value carry no secret
        "/x?monkey=1&tokens=2",  # only whole names count
    ],
)
def test_everything_else_is_logged_as_it_came(uri):
    assert redact(uri) == uri


def test_the_server_hands_its_access_logger_the_redacted_path():
    seen = []
    server = RedactingServer.__new__(RedactingServer)  # no sockets: only the logging hook
    server.action_logger = lambda protocol, action, details: seen.append(details)
    details = {"path": "/api/v1/info?apikey=nmr_secret", "status": 200}
    server.log_action("http", "complete", details)
    assert seen == [{"path": f"/api/v1/info?apikey={REDACTED}", "status": 200}]
    assert details["path"] == "/api/v1/info?apikey=nmr_secret"  # the caller's dict is untouched
