"""A fake Plex Media Server and a fake plex.tv sharing one state: the server answers `/identity`
(no token), `/` and `/library/sections` (token in `X-Plex-Token`, else a 401 page) in JSON or
XML as asked; plex.tv answers `/api/servers/{machineId}` and its `shared_servers` in XML."""

from __future__ import annotations

import secrets
import uuid
from typing import Any
from xml.sax.saxutils import quoteattr

from tests.support.mediaservers.base import FakeServer, Reply, Request

VERSION = "1.41.6.9685-d301f511a"
UNAUTHORIZED_PAGE = (
    "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"
)


def element(tag: str, attributes: dict[str, Any], children: str = "") -> str:
    attrs = "".join(f" {key}={quoteattr(str(value))}" for key, value in attributes.items())
    return f"<{tag}{attrs}>{children}</{tag}>" if children else f"<{tag}{attrs}/>"


def xml_reply(body: str, status: int = 200) -> Reply:
    return Reply(
        status, '<?xml version="1.0" encoding="UTF-8"?>\n' + body, "text/xml;charset=utf-8"
    )


def xml_error(status: int, message: str) -> Reply:
    return xml_reply(
        element("errors", {}, element("error", {"code": status, "message": message})), status
    )


class PlexState:
    """One owner, one server, its sections and the shares plex.tv holds."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(20)
        self.machine_id = uuid.uuid4().hex + uuid.uuid4().hex[:8]
        self.friendly_name = "Attic Plex"
        self.sections: list[dict[str, Any]] = []
        self.shares: dict[str, dict[str, Any]] = {}
        self.pins: dict[int, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}  # an invitee's token → their account

    def add_section(self, title: str, section_type: str = "movie") -> dict[str, Any]:
        section = {
            "key": str(len(self.sections) + 1),
            "title": title,
            "type": section_type,
            "uuid": str(uuid.uuid4()),
            "tv_id": 40_000_000 + len(self.sections) * 7 + 3,
        }
        self.sections.append(section)
        return section

    def token_of(self, request: Request) -> str:
        return request.header("x-plex-token") or request.query.get("X-Plex-Token", "")


class PlexServerFake(FakeServer):
    """The Plex Media Server. `.tv` is the plex.tv fake, `.api_key` the owner's token."""

    def __init__(self, state: PlexState | None = None) -> None:
        self.state = state or PlexState()
        self.api_key = self.state.token
        self.tv: PlexTvFake | None = None
        super().__init__()

    def setup_routes(self) -> None:
        self.add("GET", "/identity", self.identity, public=True)
        self.add("GET", "/", self.root)
        self.add("GET", "/library/sections", self.sections)

    def authorize(self, request: Request) -> Reply | None:
        if self.state.token_of(request) == self.state.token:
            return None
        return Reply(401, UNAUTHORIZED_PAGE, "text/html")

    def container(
        self, request: Request, attributes: dict[str, Any], tag: str = "", items=()
    ) -> Reply:
        if "application/json" in request.header("accept"):
            body: dict[str, Any] = dict(attributes)
            if tag:
                body[tag] = list(items)
            return Reply(body={"MediaContainer": body})
        children = "".join(element(tag, item) for item in items)
        return xml_reply(element("MediaContainer", attributes, children))

    def identity(self, request: Request) -> Reply:
        fields = {"size": 0, "claimed": True, "machineIdentifier": self.state.machine_id}
        return self.container(request, {**fields, "version": VERSION})

    def root(self, request: Request) -> Reply:
        fields = {
            "size": 0,
            "friendlyName": self.state.friendly_name,
            "machineIdentifier": self.state.machine_id,
            "myPlex": True,
            "myPlexSigninState": "ok",
            "version": VERSION,
        }
        return self.container(request, fields)

    def sections(self, request: Request) -> Reply:
        items = [
            {key: value for key, value in section.items() if key != "tv_id"}
            | {"agent": "tv.plex.agents.movie", "scanner": "Plex Movie", "language": "en-US"}
            for section in self.state.sections
        ]
        fields = {"size": len(items), "allowSync": False, "title1": "Plex Library"}
        return self.container(request, fields, "Directory", items)


class PlexTvFake(FakeServer):
    """plex.tv's sharing API for the one server of `state`'s owner."""

    def __init__(self, state: PlexState) -> None:
        self.state = state
        #: Share, then answer without the SharedServer (as if the answer were cut short).
        self.lose_share_answers = False
        super().__init__()

    def setup_routes(self) -> None:
        self.add("POST", "/api/v2/pins", self.new_pin, public=True)
        self.add("GET", "/api/v2/pins/(?P<pin_id>\\d+)", self.get_pin, public=True)
        self.add("GET", "/api/v2/user", self.user, public=True)
        self.add("GET", "/api/servers/(?P<machine_id>[^/]+)", self.server)
        self.add("GET", "/api/servers/(?P<machine_id>[^/]+)/shared_servers", self.list_shares)
        self.add("POST", "/api/servers/(?P<machine_id>[^/]+)/shared_servers", self.share)
        self.add(
            "DELETE",
            "/api/servers/(?P<machine_id>[^/]+)/shared_servers/(?P<share_id>\\d+)",
            self.unshare,
        )

    def authorize(self, request: Request) -> Reply | None:
        if self.state.token_of(request) == self.state.token:
            return None
        return xml_error(401, "User could not be authenticated")

    # The PIN flow (plex.tv API v2, JSON).
    def sign_in(self, pin_id: int, username: str, email: str) -> str:
        """The invitee approves the PIN at app.plex.tv; returns their new token."""
        token = secrets.token_urlsafe(20)
        account = {"id": 9_000_000 + len(self.state.accounts), "uuid": uuid.uuid4().hex[:16]}
        account.update(username=username, title=username, email=email)
        self.state.accounts[token] = account
        self.state.pins[pin_id]["authToken"] = token
        return token

    def new_pin(self, request: Request) -> Reply:
        client_id = request.header("x-plex-client-identifier")
        if not client_id:
            return Reply(
                400, {"errors": [{"code": 1000, "message": "X-Plex-Client-Identifier is missing"}]}
            )
        pin_id = 1_000_000 + len(self.state.pins)
        pin = {
            "id": pin_id,
            "code": secrets.token_hex(12) if request.query.get("strong") == "true" else "ABCD",
            "product": request.header("x-plex-product"),
            "trusted": False,
            "clientIdentifier": client_id,
            "expiresIn": 1800,
            "authToken": None,
            "newRegistration": None,
        }
        self.state.pins[pin_id] = pin
        return Reply(201, dict(pin))

    def get_pin(self, request: Request, pin_id: str) -> Reply:
        pin = self.state.pins.get(int(pin_id))
        if pin is None or pin["clientIdentifier"] != request.header("x-plex-client-identifier"):
            return Reply(404, {"errors": [{"code": 1020, "message": "Code not found or expired"}]})
        return Reply(body=dict(pin))

    def user(self, request: Request) -> Reply:
        account = self.state.accounts.get(self.state.token_of(request))
        if account is None:
            return Reply(
                401, {"errors": [{"code": 1001, "message": "User could not be authenticated"}]}
            )
        return Reply(body=dict(account))

    def unknown(self, machine_id: str) -> Reply | None:
        if machine_id != self.state.machine_id:
            return xml_error(404, "Server not found")
        return None

    def section_xml(self, section: dict[str, Any], shared: bool | None = None) -> str:
        attributes = {"id": section["tv_id"], "key": section["key"], "type": section["type"]}
        attributes["title"] = section["title"]
        if shared is not None:
            attributes["shared"] = "1" if shared else "0"
        return element("Section", attributes)

    def server(self, request: Request, machine_id: str) -> Reply:
        refusal = self.unknown(machine_id)
        if refusal:
            return refusal
        sections = "".join(self.section_xml(section) for section in self.state.sections)
        server = element(
            "Server",
            {
                "name": self.state.friendly_name,
                "machineIdentifier": machine_id,
                "owned": "1",
                "version": VERSION,
            },
            sections,
        )
        return xml_reply(element("MediaContainer", {"friendlyName": "myPlex", "size": 1}, server))

    def share_xml(self, share_id: str) -> str:
        share = self.state.shares[share_id]
        sections = "".join(
            self.section_xml(section, section["tv_id"] in share["section_ids"])
            for section in self.state.sections
        )
        attributes = {
            "id": share_id,
            "username": "",
            "email": share["email"],
            "userID": "",
            "name": self.state.friendly_name,
            "acceptedAt": "",
            "invitedAt": share["invited_at"],
            **share["settings"],
            "owned": "0",
        }
        return element("SharedServer", attributes, sections)

    def list_shares(self, request: Request, machine_id: str) -> Reply:
        refusal = self.unknown(machine_id)
        if refusal:
            return refusal
        shares = "".join(self.share_xml(share_id) for share_id in self.state.shares)
        return xml_reply(element("MediaContainer", {"size": len(self.state.shares)}, shares))

    def share(self, request: Request, machine_id: str) -> Reply:
        refusal = self.unknown(machine_id)
        if refusal:
            return refusal
        body = request.json()
        shared = body.get("shared_server") if isinstance(body, dict) else None
        if not isinstance(shared, dict):
            return xml_error(400, "shared_server is required")
        email = str(shared.get("invited_email") or "")
        if "@" not in email:
            return xml_error(400, "Invalid email address")
        if any(s["email"].lower() == email.lower() for s in self.state.shares.values()):
            return xml_error(400, "Server is already shared with this user")
        ids = shared.get("library_section_ids")
        known = {section["tv_id"] for section in self.state.sections}
        if not isinstance(ids, list) or not set(ids) <= known:
            return xml_error(400, "Invalid library section ids")
        share_id = str(10_000_000 + len(self.state.shares) + secrets.randbelow(1000) * 1000)
        self.state.shares[share_id] = {
            "email": email,
            "section_ids": ids or sorted(known),
            "settings": dict(body.get("sharing_settings") or {}),
            "invited_at": "1767225600",
        }
        if self.lose_share_answers:
            return xml_reply(element("MediaContainer", {"size": 0}))
        return xml_reply(element("MediaContainer", {"size": 1}, self.share_xml(share_id)))

    def unshare(self, request: Request, machine_id: str, share_id: str) -> Reply:
        refusal = self.unknown(machine_id)
        if refusal:
            return refusal
        if self.state.shares.pop(share_id, None) is None:
            return xml_error(404, "Shared server not found")
        return Reply(200, None)
