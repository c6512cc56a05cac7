"""Who may listen to events: the caller's credential for a WebSocket scope or an SSE request
(through `credentials.resolve`, like every other transport), and a `Watch` that re-checks it
while the connection lives, so a revoked key or token or an ended session loses its stream."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs, urlsplit

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from nomarr_site.auth import policy
from nomarr_site.auth.credentials import API_KEY, SESSION, TOKEN, Credential, resolve
from nomarr_site.models import ApiKey, AuthToken

logger = logging.getLogger(__name__)

# A connection re-reads its credential at most this often (events can arrive many per second).
CACHE_SECONDS = 2.0


def scope_headers(scope: Mapping[str, Any]) -> dict[str, str]:
    return {
        name.decode("latin1").lower(): value.decode("latin1")
        for name, value in scope.get("headers", [])
    }


def scope_query(scope: Mapping[str, Any]) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin1")
    return {name: values[0] for name, values in parse_qs(raw).items()}


def _session_key(session: Any) -> str | None:
    return getattr(session, "session_key", None) if session is not None else None


async def credential_for_scope(
    scope: Mapping[str, Any],
) -> tuple[Credential | None, str | None]:
    """(credential or None, session key) of a WebSocket scope; raises InvalidCredential."""
    credential = await database_sync_to_async(resolve)(
        scope_headers(scope), scope_query(scope), scope.get("user")
    )
    return credential, _session_key(scope.get("session"))


async def credential_for_request(request: HttpRequest) -> tuple[Credential | None, str | None]:
    """(credential or None, session key) of a Django request; raises InvalidCredential."""
    session_user = await request.auser()
    headers = {name.lower(): value for name, value in request.headers.items()}
    query = {name: request.GET.get(name) for name in request.GET}
    credential = await sync_to_async(resolve)(headers, query, session_user)
    return credential, _session_key(getattr(request, "session", None))


def foreign_origin(headers: dict[str, str], credential: Credential | None) -> bool:
    """A cookie-authenticated socket opened by a page of another origin (cross-site WebSocket
    hijacking). Tokens and keys are not sent by the browser on its own, so they are exempt."""
    origin = headers.get("origin", "")
    if credential is None or credential.kind != SESSION or not origin:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return False
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


def refusal(group: policy.Group | None, credential: Credential | None) -> str | None:
    """Why `credential` may not open a stream of the route's declared `group`, or None."""
    return policy.refusal(group, credential)


class Watch:
    """Remembers which credential opened a connection and tells whether it is still valid."""

    def __init__(self, credential: Credential, session_key: str | None):
        self.kind = credential.kind
        self.user_pk = getattr(credential.user, "pk", None)
        self.token_pk = credential.token.pk if credential.token is not None else None
        self.key_pk = credential.api_key.pk if credential.api_key is not None else None
        self.session_key = session_key
        self._valid = True
        self._checked_at = time.monotonic()

    async def valid(self) -> bool:
        """The cached answer, refreshed from the database when older than CACHE_SECONDS."""
        if self._valid and time.monotonic() - self._checked_at >= CACHE_SECONDS:
            self._valid = await database_sync_to_async(self.check_now)()
            self._checked_at = time.monotonic()
        return self._valid

    def check_now(self) -> bool:
        try:
            # A key or token credential always carries its row; without one nothing is valid.
            if self.kind == API_KEY and self.key_pk is not None:
                # bool(): ApiKeyQuerySet.active() is unannotated, so mypy sees Any
                return bool(ApiKey.objects.active().filter(pk=self.key_pk).exists())
            if self.kind == TOKEN and self.token_pk is not None:
                return AuthToken.objects.filter(
                    pk=self.token_pk,
                    revoked_at__isnull=True,
                    expires_at__gt=timezone.now(),
                    user__is_active=True,
                ).exists()
            if self.kind == SESSION:
                return self._session_valid()
        except Exception:  # a database hiccup is not a revocation: keep the last answer
            logger.warning("Could not re-check an event stream credential", exc_info=True)
            return self._valid
        return False

    def _session_valid(self) -> bool:
        if not self.session_key or self.user_pk is None:
            return False
        store = import_module(settings.SESSION_ENGINE).SessionStore(self.session_key)
        data = store.load()  # {} once the session is deleted or expired
        if str(data.get(SESSION_KEY)) != str(self.user_pk):
            return False
        user = get_user_model()._default_manager.filter(pk=self.user_pk, is_active=True).first()
        if user is None:
            return False
        stored = data.get(HASH_SESSION_KEY) or ""
        hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
        return any(constant_time_compare(stored, value) for value in hashes)
