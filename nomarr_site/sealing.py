"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from Django's
SECRET_KEY and a fixed context string per purpose, so a copy of the database alone reveals no
credential and one purpose's key opens nothing of another's."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

SETTINGS_CONTEXT = b"nomarr.settings.secrets.v1"


class Unreadable(Exception):
    """The sealed text does not open (SECRET_KEY changed, or the stored text was altered)."""


def fernet(context: bytes) -> Fernet:
    """The Fernet of `context` under this installation's SECRET_KEY."""
    digest = hmac.new(settings.SECRET_KEY.encode(), context, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text: str, context: bytes = SETTINGS_CONTEXT) -> str:
    return fernet(context).encrypt(text.encode()).decode()


def unseal(token: str, context: bytes = SETTINGS_CONTEXT) -> str:
    try:
        return fernet(context).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError, UnicodeDecodeError) as exc:
        raise Unreadable("The stored secret cannot be read (was the secret key changed?)") from exc
