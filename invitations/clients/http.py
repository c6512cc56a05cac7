"""The one HTTP helper every media-server client uses: timeouts, and every failure turned into a
`ClientError` whose reason names the server type and URL but never a token or password."""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as safe_xml  # type: ignore[import-untyped]
import httpx
from defusedxml import DefusedXmlException

from invitations.clients.base import ClientError

logger = logging.getLogger(__name__)

#: The longest piece of a server's own error message quoted in a reason.
MESSAGE_LIMIT = 200
USER_AGENT = "Nomarr"


def display_url(url: str) -> str:
    """`url` without any user:password part, for reasons and logs."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "(an invalid URL)"
    return str(parsed.copy_with(username=None, password=None)).rstrip("/")


class HttpSession:
    """Requests to one server on behalf of one client. `label` names the server type in
    reasons ("Jellyfin"); `secrets` are redacted from anything quoted back from the server."""

    def __init__(
        self,
        label: str,
        base_url: str,
        *,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self.label = label
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        self.secrets = tuple(secret for secret in secrets if secret)

    @property
    def where(self) -> str:
        return f"{self.label} at {display_url(self.base_url)}"

    def error(self, message: str, kind: str, status: int | None = None) -> ClientError:
        """A ClientError whose reason starts with the server type and URL."""
        return ClientError(f"{self.where}: {self.redact(message)}", kind=kind, status=status)

    def hide(self, secret: str) -> None:
        """Also redact `secret` (an invitee's password) from what this session reports."""
        if secret and secret not in self.secrets:
            self.secrets = (*self.secrets, secret)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "•••")
        return text

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; a transport failure or an error status is a ClientError."""
        url = self.base_url + path
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                response = client.request(
                    method,
                    url,
                    json=json_body,
                    params=params,
                    headers={**self.headers, **(headers or {})},
                )
        except httpx.TimeoutException as exc:
            raise self.error(f"no answer within {self.timeout:g} s", "timeout") from exc
        except httpx.ConnectError as exc:
            raise self._connect_error(exc) from exc
        except httpx.InvalidURL as exc:
            raise self.error("the URL is not valid", "unreachable") from exc
        except httpx.HTTPError as exc:
            raise self.error(
                f"the connection failed ({type(exc).__name__})", "unreachable"
            ) from exc
        logger.debug("%s %s %s → %s", self.label, method, path.split("?")[0], response.status_code)
        if response.status_code >= 400:
            raise self.status_error(response)
        if response.is_redirect:
            where = display_url(response.headers.get("location", "elsewhere"))
            raise self.error(
                f"it redirects to {where}; use that address", "refused", response.status_code
            )
        return response

    def _connect_error(self, exc: httpx.ConnectError) -> ClientError:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLCertVerificationError):
                detail = cause.verify_message or "certificate verify failed"
                return self.error(f"its TLS certificate was refused ({detail})", "tls")
            if isinstance(cause, ssl.SSLError):
                return self.error(f"the TLS handshake failed ({cause.reason})", "tls")
            cause = cause.__cause__ or cause.__context__
        return self.error("cannot connect (refused, or the host name is unknown)", "unreachable")

    def status_error(self, response: httpx.Response) -> ClientError:
        status = response.status_code
        if status in (401, 403):
            return self.error(f"the credentials were refused ({status})", "auth", status)
        if status == 404:
            return self.error(f"{response.request.url.path} was not found (404)", "not_found", 404)
        message = server_message(response)
        said = f": {message}" if message else ""
        return self.error(f"the server refused the request ({status}){said}", "refused", status)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request and return its JSON body (malformed if it is not JSON)."""
        return self.parse_json(self.request(method, path, **kwargs))

    def parse_json(self, response: httpx.Response) -> Any:
        """The JSON body of `response` (malformed if it is not JSON)."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            path = response.request.url.path
            raise self.error(f"{path} did not answer JSON", "malformed") from exc

    def xml(self, method: str, path: str, **kwargs: Any) -> Element:
        """Send a request and return its parsed XML root (malformed if it is not XML)."""
        response = self.request(method, path, **kwargs)
        try:
            root: Element = safe_xml.fromstring(response.content)
        except (safe_xml.ParseError, DefusedXmlException) as exc:
            raise self.error(f"{path.split('?')[0]} did not answer XML", "malformed") from exc
        return root

    def malformed(self, what: str) -> ClientError:
        return self.error(f"the answer was not what {self.label} sends ({what})", "malformed")

    def field(self, data: Any, key: str, kind: type = str) -> Any:
        """`data[key]`, which must be a `kind`; anything else is a malformed answer."""
        if not isinstance(data, dict) or not isinstance(data.get(key), kind):
            raise self.malformed(f"no {key}")
        return data[key]


def server_message(response: httpx.Response) -> str:
    """The server's own short explanation of an error, if it gave one."""
    text = ""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        for key in ("error", "message", "Message", "title", "detail"):
            if isinstance(body.get(key), str):
                text = body[key]
                break
    elif isinstance(body, str):
        text = body
    elif body is None and response.headers.get("content-type", "").startswith("text/plain"):
        text = response.text
    elif body is None and "xml" in response.headers.get("content-type", ""):
        text = xml_message(response.content)
    text = " ".join(text.split())
    return text[:MESSAGE_LIMIT]


def xml_message(content: bytes) -> str:
    """The first `<error>`'s text or `message` attribute of an XML error answer (plex.tv)."""
    try:
        root = safe_xml.fromstring(content)
    except (safe_xml.ParseError, DefusedXmlException):
        return ""
    error = root if root.tag == "error" else root.find(".//error")
    if error is None:
        return ""
    return str(error.get("message") or error.text or "")


def delete_remote(http: HttpSession, send: Callable[[], object], what: str) -> None:
    """Run `send`, the server's delete call for `what` ("the account 12"): one the server no
    longer has counts as deleted; any other failure is raised."""
    try:
        send()
    except ClientError as exc:
        if exc.kind != "not_found":
            raise
        logger.info("%s: %s was already gone", http.where, what)
        return
    logger.info("%s: deleted %s", http.where, what)


def undo_account(http: HttpSession, delete: Callable[[str], None], remote_id: str) -> None:
    """Remove a half-made account after a later step failed; a failure here is logged, so the
    caller raises the first error, the one that matters."""
    try:
        delete(remote_id)
    except ClientError as exc:
        logger.warning("%s: could not remove the half-made account: %s", http.where, exc)
