"""Reading the payload of Lidarr's own Webhook connection (Settings → Connect → Webhook).

Lidarr posts camelCase JSON (`WebhookImportPayload`, `WebhookRetagPayload`,
`WebhookRenamePayload`, ...) with a PascalCase `eventType`. What Nomarr does with each:

| eventType        | queued                                                 |
|------------------|--------------------------------------------------------|
| Test             | nothing (Lidarr's "Test" button)                       |
| Download         | every `trackFiles[].path` (an import or an upgrade);   |
|                  | never `deletedFiles`, which are gone                   |
| Retag, Rename    | the artist folder, `artist.path`                       |
| anything else    | nothing (answered 200 so Lidarr does not retry)        |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FILE_EVENTS = {"Download"}
FOLDER_EVENTS = {"Retag", "Rename"}
HANDLED_EVENTS = FILE_EVENTS | FOLDER_EVENTS | {"Test"}


class MalformedPayload(ValueError):
    """The body is not a Lidarr webhook payload; the message says what is wrong."""


@dataclass
class LidarrRequest:
    event_type: str
    files: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    is_upgrade: bool = False

    @property
    def ignored(self) -> bool:
        return self.event_type not in HANDLED_EVENTS


def _path_of(item: Any, where: str) -> str:
    if not isinstance(item, dict):
        raise MalformedPayload(f"{where} must be an object")
    path = item.get("path")
    if not isinstance(path, str) or not path.strip():
        raise MalformedPayload(f"{where}.path must be a non-empty string")
    return path


def parse(payload: Any) -> LidarrRequest:
    """Turn a decoded JSON body into what should be queued, or raise MalformedPayload."""
    if not isinstance(payload, dict):
        raise MalformedPayload("the body must be a JSON object")
    event_type = payload.get("eventType")
    if not isinstance(event_type, str) or not event_type:
        raise MalformedPayload("eventType is missing or not a string")
    request = LidarrRequest(event_type=event_type)
    if event_type in FILE_EVENTS:
        track_files = payload.get("trackFiles")
        if not isinstance(track_files, list):
            raise MalformedPayload("trackFiles must be a list for a Download event")
        paths = [_path_of(item, f"trackFiles[{i}]") for i, item in enumerate(track_files)]
        request.files = list(dict.fromkeys(paths))  # keep order, drop duplicates
        request.is_upgrade = bool(payload.get("isUpgrade", False))
    elif event_type in FOLDER_EVENTS:
        request.folders = [_path_of(payload.get("artist"), "artist")]
    return request
