"""NZBGet's JSON-RPC API (`POST /jsonrpc`, HTTP basic auth with the control username and
password), method `append` with its ten parameters; the result is the new NZBID, and a result
of 0 or less means NZBGet refused the NZB."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from library.imports import clients
from library.imports.clients import DownloaderRefused

CREDENTIALS = "imports.nzbget_username and imports.nzbget_password"


@dataclass(frozen=True)
class Nzbget:
    url: str  # e.g. http://nzbget:6789, no trailing slash
    username: str
    password: str
    category: str = ""

    def append(self, name: str, content: bytes) -> int:
        """Hand the NZB over; its NZBID."""
        params: list[Any] = [
            name,  # NZBFilename
            base64.b64encode(content).decode("ascii"),  # Content
            self.category,  # Category
            0,  # Priority: normal
            False,  # AddToTop
            False,  # AddPaused
            "",  # DupeKey
            0,  # DupeScore
            "SCORE",  # DupeMode
            [],  # PPParameters
        ]
        request = {"version": "1.1", "method": "append", "params": params, "id": 1}
        body = clients.post_json(
            "NZBGet",
            self.url,
            "/jsonrpc",
            url_setting="imports.nzbget_url",
            login_refused=f"NZBGet refused the login; check {CREDENTIALS}",
            answer="JSON-RPC",
            json=request,
            auth=(self.username, self.password),
        )
        return _nzbid(body)


def _nzbid(body: dict[str, Any]) -> int:
    """The NZBID in append's answer, or DownloaderRefused saying why there is none."""
    if body.get("error"):
        error = body["error"]
        text = error.get("message") if isinstance(error, dict) else error
        raise DownloaderRefused(f"NZBGet refused the NZB: {str(text)[:300]}")
    result = body.get("result")
    if isinstance(result, bool) or not isinstance(result, int):
        raise DownloaderRefused("NZBGet's answer carries no NZBID")
    if result <= 0:
        raise DownloaderRefused(f"NZBGet refused the NZB (append returned {result})")
    return result
