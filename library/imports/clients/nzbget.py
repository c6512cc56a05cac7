"""NZBGet's JSON-RPC API (`POST /jsonrpc`, HTTP basic auth with the control username and
password), method `append` with its ten parameters; the result is the new NZBID, and a result
of 0 or less means NZBGet refused the NZB."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from library.imports import clients
from library.imports.clients import DownloaderDown, DownloaderRefused

logger = logging.getLogger(__name__)

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
        try:
            response = httpx.post(
                f"{self.url}/jsonrpc",
                json=request,
                auth=(self.username, self.password),
                timeout=clients.TIMEOUT_SECONDS,
            )
        except httpx.TimeoutException:
            raise DownloaderDown(f"NZBGet at {self.url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise DownloaderDown(
                f"NZBGet at {self.url} cannot be reached ({type(exc).__name__})"
            ) from None
        return self._nzbid(response)

    def _nzbid(self, response: httpx.Response) -> int:
        if response.status_code in (401, 403):
            raise DownloaderRefused(f"NZBGet refused the login; check {CREDENTIALS}")
        if response.status_code >= 500:
            raise DownloaderDown(f"NZBGet answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise DownloaderRefused(
                f"NZBGet answered HTTP {response.status_code}; check imports.nzbget_url"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise DownloaderRefused(
                "NZBGet's answer is not the JSON-RPC its API returns; check imports.nzbget_url"
            )
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
