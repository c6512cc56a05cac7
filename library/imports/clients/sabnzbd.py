"""SABnzbd's API, `mode=addfile`: the NZB goes as the multipart field `name`, with `apikey`,
`output=json` and the category; SABnzbd answers `{"status": true, "nzo_ids": ["SABnzbd_nzo_…"]}`
or `{"status": false, "error": "…"}` (a wrong key: "API Key Incorrect", HTTP 403 in recent
versions)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from library.imports import clients
from library.imports.clients import DownloaderDown, DownloaderRefused

logger = logging.getLogger(__name__)

KEY_SETTING = "imports.sabnzbd_api_key"


@dataclass(frozen=True)
class Sabnzbd:
    url: str  # e.g. http://sabnzbd:8080, no trailing slash
    api_key: str
    category: str = ""

    def add_file(self, name: str, content: bytes) -> str:
        """Hand the NZB over; its `nzo_id`."""
        params = {"mode": "addfile", "apikey": self.api_key, "output": "json", "nzbname": name}
        if self.category:
            params["cat"] = self.category
        try:
            response = httpx.post(
                f"{self.url}/api",
                params=params,
                files={"name": (name, content, "application/x-nzb")},
                timeout=clients.TIMEOUT_SECONDS,
            )
        except httpx.TimeoutException:
            raise DownloaderDown(f"SABnzbd at {self.url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise DownloaderDown(
                f"SABnzbd at {self.url} cannot be reached ({type(exc).__name__})"
            ) from None
        return self._nzo_id(response)

    def _nzo_id(self, response: httpx.Response) -> str:
        if response.status_code in (401, 403):
            raise DownloaderRefused(f"SABnzbd refused the API key; check {KEY_SETTING}")
        if response.status_code >= 500:
            raise DownloaderDown(f"SABnzbd answered HTTP {response.status_code}")
        body = _json(response)
        if body.get("status") is not True:
            error = str(body.get("error") or "no reason given")[:300]
            if "api key" in error.lower():
                raise DownloaderRefused(
                    f"SABnzbd refused the API key ({error}); check {KEY_SETTING}"
                )
            raise DownloaderRefused(f"SABnzbd refused the NZB: {error}")
        ids = body.get("nzo_ids")
        if not isinstance(ids, list) or not ids or not isinstance(ids[0], str) or not ids[0]:
            raise DownloaderRefused("SABnzbd accepted the NZB but returned no nzo_id")
        return ids[0]


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise DownloaderRefused(
            f"SABnzbd answered HTTP {response.status_code}; check imports.sabnzbd_url"
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DownloaderRefused(
            "SABnzbd's answer is not the JSON its API returns; check imports.sabnzbd_url"
        )
    return body
