"""Browser sessions stored in the database under a hash of their key (SESSION_ENGINE).

The cookie holds the only clear copy of the key, so a copy of the database (a backup, a stolen
file) holds no usable session; logging out still deletes the row, so a session is revoked on
the server, which signed cookies could not do. Rows written before this store (keys in clear)
match no cookie any more and expire by themselves.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

# The hash must fit Session.session_key (40 characters): the first 160 bits of SHA-256. Session
# keys are 32 random characters, so no salt or key stretching is needed against guessing.
STORED_LENGTH = 40


def stored_key(session_key: str) -> str:
    """The column value for the cookie's `session_key`."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:STORED_LENGTH]


class SessionStore(DatabaseSessionStore):
    """Django's database store with every row looked up, written and deleted by hashed key."""

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        if self.session_key is None:
            return None
        try:
            return self.model.objects.get(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    async def _aget_session_from_db(self) -> AbstractBaseSession | None:
        if self.session_key is None:
            return None
        try:
            return await self.model.objects.aget(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    def exists(self, session_key: str) -> bool:
        return self.model.objects.filter(session_key=stored_key(session_key)).exists()

    async def aexists(self, session_key: str) -> bool:
        return await self.model.objects.filter(session_key=stored_key(session_key)).aexists()

    def create_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        instance = super().create_model_instance(data)
        instance.session_key = stored_key(instance.session_key)
        return instance

    async def acreate_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        instance = await super().acreate_model_instance(data)
        instance.session_key = stored_key(instance.session_key)
        return instance

    def delete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is not None:
            self.model.objects.filter(session_key=stored_key(key)).delete()

    async def adelete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is not None:
            await self.model.objects.filter(session_key=stored_key(key)).adelete()
