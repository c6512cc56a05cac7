"""Recognising a caller's credential from a request's headers, query string or session.

One function, `resolve`, used by DRF (authentication class), plain Django views (SSE) and the
WebSocket consumer, so every transport identifies callers the same way.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nomarr_site.models import ApiKey, AuthToken

SESSION = "session"
TOKEN = "token"  # noqa: S105 - a credential kind, not a secret
API_KEY = "api_key"


class InvalidCredential(Exception):
    """A credential was offered but is unknown, expired, revoked or malformed."""


@dataclass
class Credential:
    kind: str  # SESSION, TOKEN or API_KEY
    via: str  # cookie, bearer, x-api-key, query, basic
    user: Any
    token: AuthToken | None = None
    api_key: ApiKey | None = None

    @property
    def label(self) -> str:
        if self.api_key is not None:
            return f"API key '{self.api_key.name}'"
        return getattr(self.user, "username", "admin")


class KeyPrincipal:
    """The user object DRF sees for API-key callers: authenticated, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_active = True

    def __init__(self, key: ApiKey):
        self.key = key
        self.username = f"apikey:{key.name}"
        self.pk = None

    def __str__(self) -> str:
        return self.username


def _key_credential(clear: str, via: str) -> Credential:
    key = ApiKey.find(clear)
    if key is None:
        raise InvalidCredential("Invalid API key")
    key.touch()
    return Credential(API_KEY, via, KeyPrincipal(key), api_key=key)


def _bearer_credential(clear: str) -> Credential:
    token = AuthToken.find_valid(clear)
    if token is not None:
        if not token.user.is_active:
            raise InvalidCredential("The account behind this token is disabled")
        return Credential(TOKEN, "bearer", token.user, token=token)
    key = ApiKey.find(clear)
    if key is not None:
        key.touch()
        return Credential(API_KEY, "bearer", KeyPrincipal(key), api_key=key)
    raise InvalidCredential("Invalid or expired token")


def resolve(
    headers: Mapping[str, str], query: Mapping[str, str | None], session_user: Any = None
) -> Credential | None:
    """Identify the caller. Explicit credentials win over the session cookie.

    Returns None when no credential was offered; raises InvalidCredential for a bad one.
    `headers` keys are lower-case header names.
    """
    authorization = headers.get("authorization", "").strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        scheme = scheme.lower()
        value = value.strip()
        if scheme == "bearer":
            if not value:
                raise InvalidCredential("Empty bearer token")
            return _bearer_credential(value)
        if scheme == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise InvalidCredential("Malformed Basic authorization header") from None
            _user, _, password = decoded.partition(":")
            return _key_credential(password, "basic")
        # Not echoed: without a space the "scheme" is the credential itself (a bare key, or
        # one after a tab), and the answer must not carry a secret back.
        raise InvalidCredential("Unsupported authorization scheme; use 'Bearer <key or token>'")
    header_key = headers.get("x-api-key", "").strip()
    if header_key:
        return _key_credential(header_key, "x-api-key")
    query_key = (query.get("apikey") or "").strip()
    if query_key:
        return _key_credential(query_key, "query")
    query_token = (query.get("token") or "").strip()
    if query_token:
        return _bearer_credential(query_token)
    if session_user is not None and getattr(session_user, "is_authenticated", False):
        return Credential(SESSION, "cookie", session_user)
    return None
