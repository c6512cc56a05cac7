"""Login throttling: 5 attempts per 60 s per client, and a lockout after repeated failures that
expires by itself. Every way to log in shares these counters (the login page, the token and
session-token endpoints, setup and the backoffice), so failing on one locks all of them.
Counters live in Django's cache (in process for the embedded set-up, Redis when scaled out)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.core.cache import cache

from nomarr_site.errors import RateLimited

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request

WINDOW_SECONDS = 60
MAX_ATTEMPTS = 5
LOCKOUT_FAILURES = 10
LOCKOUT_SECONDS = 15 * 60
MESSAGE = "Too many authentication attempts, try again later"


def client_id(request: HttpRequest | Request) -> str:
    """The peer address. Proxies are not trusted: X-Forwarded-For is spoofable."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def retry_message(retry_after: int | None) -> str:
    """What a person reads when throttled: "Too many attempts; try again in 14 minutes"."""
    if not retry_after or retry_after <= 0:
        return "Too many attempts; try again later."
    if retry_after < 60:
        wait = f"{retry_after} second{'s' if retry_after != 1 else ''}"
    else:
        minutes = -(-retry_after // 60)  # round up: never promise a retry that is refused
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"Too many attempts; try again in {wait}."


def _window_key(client: str) -> str:
    return f"auth-rate:{client}:{int(time.time() // WINDOW_SECONDS)}"


def check_and_count(request: HttpRequest | Request) -> None:
    """Count one attempt; raise RateLimited when the window is full or the client locked out."""
    client = client_id(request)
    locked_until = cache.get(f"auth-lock:{client}")
    if locked_until and locked_until > time.time():
        raise RateLimited(MESSAGE, retry_after=int(locked_until - time.time()) + 1)
    key = _window_key(client)
    cache.add(key, 0, WINDOW_SECONDS * 2)
    try:
        attempts = cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS * 2)
        attempts = 1
    if attempts > MAX_ATTEMPTS:
        raise RateLimited(MESSAGE, retry_after=WINDOW_SECONDS - int(time.time() % WINDOW_SECONDS))


def record_failure(request: HttpRequest | Request) -> None:
    client = client_id(request)
    key = f"auth-fail:{client}"
    cache.add(key, 0, LOCKOUT_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:
        cache.set(key, 1, LOCKOUT_SECONDS)
        failures = 1
    if failures >= LOCKOUT_FAILURES:
        cache.set(f"auth-lock:{client}", time.time() + LOCKOUT_SECONDS, LOCKOUT_SECONDS)
        cache.delete(key)


def record_success(request: HttpRequest | Request) -> None:
    cache.delete(f"auth-fail:{client_id(request)}")
