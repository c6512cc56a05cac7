"""The web process (`python -m nomarr_site.web`, started by `nom serve`): daphne's own command
line, with credentials taken out of its access log.

Scripts and Lidarr may send an API key as `?apikey=` and browsers a token as `?token=`; daphne
logs every request's full URI, query string included, so without this a key would land in
the log of every home server that keeps one.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from daphne import server as daphne_server
from daphne.cli import CommandLineInterface
from daphne.server import Server

from nomarr_site.daphne_limit import LimitedHTTPFactory

# Query parameters that carry a credential anywhere in Nomarr's or its references' APIs.
SECRET_PARAMETERS = frozenset(
    {"apikey", "api_key", "key", "token", "access_token", "session_token", "password"}
)
REDACTED = "[redacted]"


def redact(uri: str) -> str:
    """`uri` with the value of every credential query parameter replaced."""
    path, question, query = uri.partition("?")
    if not question:
        return uri
    pairs = []
    for pair in query.split("&"):
        name, equals, _value = pair.partition("=")
        if equals and unquote_plus(name).strip().lower() in SECRET_PARAMETERS:
            pair = f"{name}={REDACTED}"
        pairs.append(pair)
    return f"{path}?{'&'.join(pairs)}"


class RedactingServer(Server):
    """daphne's server, handing its access logger URIs without credentials."""

    def log_action(self, protocol: str, action: str, details: Mapping[str, Any]) -> None:
        path = details.get("path")
        if isinstance(path, str):
            details = {**details, "path": redact(path)}
        super().log_action(protocol, action, details)

    def run(self) -> None:
        # daphne builds its HTTP factory inside run(); ours refuses oversized bodies while
        # they arrive, before daphne holds them in memory (nomarr_site/daphne_limit.py).
        daphne_server.HTTPFactory = LimitedHTTPFactory
        super().run()


class WebCommandLine(CommandLineInterface):
    server_class = RedactingServer


def main(argv: list[str] | None = None) -> None:
    WebCommandLine().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
