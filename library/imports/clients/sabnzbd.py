"""SABnzbd's API, `mode=addfile`: the NZB goes as the multipart field `name`, with `apikey`,
`output=json` and the category; SABnzbd answers `{"status": true, "nzo_ids": ["SABnzbd_nzo_…"]}`
or `{"status": false, "error": "…"}` (a wrong key: "API Key Incorrect", HTTP 403 in recent
versions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from library.imports import clients
from library.imports.clients import DownloaderRefused

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
        body = clients.post_json(
            "SABnzbd",
            self.url,
            "/api",
            url_setting="imports.sabnzbd_url",
            login_refused=f"SABnzbd refused the API key; check {KEY_SETTING}",
            params=params,
            files={"name": (name, content, "application/x-nzb")},
        )
        return _nzo_id(body)


def _nzo_id(body: dict[str, Any]) -> str:
    """The first `nzo_id` in addfile's answer, or DownloaderRefused saying why there is none."""
    if body.get("status") is not True:
        error = str(body.get("error") or "no reason given")[:300]
        if "api key" in error.lower():
            raise DownloaderRefused(f"SABnzbd refused the API key ({error}); check {KEY_SETTING}")
        raise DownloaderRefused(f"SABnzbd refused the NZB: {error}")
    ids = body.get("nzo_ids")
    if not isinstance(ids, list) or not ids or not isinstance(ids[0], str) or not ids[0]:
        raise DownloaderRefused("SABnzbd accepted the NZB but returned no nzo_id")
    return ids[0]
