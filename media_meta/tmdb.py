"""The TMDB v3 client: TV search, show details (with external ids, images, content ratings and
credits), seasons, and the image configuration.

The user's credential is the setting `tmdb_api_key`: a v3 API key travels as the `api_key`
query parameter, a v4 read access token (a JWT) as `Authorization: Bearer`. Either is a secret:
it never appears in a log line, an error message or a cache key. Answers are cached (the image
configuration for days); a 429 is retried after its `Retry-After` (when that is short), a 5xx
or a dropped connection after a growing pause; a slow answer ends after the timeout. Every
failure is a domain error with a message for the user: no key, a stored key that no longer
opens (SECRET_KEY changed), a refused key and an unreachable TMDB are 503, an unknown show is 404.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache

from nomarr_site import config
from nomarr_site.domain import NotFound, Unavailable

logger = logging.getLogger(__name__)

ATTEMPTS = 4
BACKOFF_SECONDS = 0.5  # then 1, 2
MAX_RETRY_AFTER = 10.0  # a longer wait is reported rather than waited for in a request
SEARCH_TTL = 3600
SHOW_TTL = 6 * 3600  # new episodes air weekly; a rescan within hours sees the same list
CONFIGURATION_TTL = 3 * 24 * 3600
SHOW_APPENDS = "external_ids,images,content_ratings,credits"


class TmdbUnavailable(Unavailable):
    """TMDB cannot be used now: no key, a refused key, rate limited, down or too slow."""


class TmdbNotConfigured(TmdbUnavailable):
    def __init__(self) -> None:
        super().__init__(
            "TMDB API key is not configured; set other.tmdb_api_key in the settings",
            details={"setting": "tmdb_api_key"},
        )


class TmdbKeyUnreadable(TmdbUnavailable):
    def __init__(self) -> None:
        super().__init__(
            "The stored TMDB API key cannot be read (was the secret key changed?); enter the "
            "TMDB API key again in the settings (other.tmdb_api_key)",
            details={"setting": "tmdb_api_key"},
        )


class TmdbNotFound(NotFound):
    """TMDB has no such show or season."""


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def is_bearer_token(key: str) -> bool:
    """A v4 read access token is a JWT (three dot-separated parts); a v3 key is 32 hex digits."""
    return key.count(".") == 2 and len(key) > 40


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, float(moment.timestamp()) - time.time())


def _tmdb_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("status_message") if isinstance(body, dict) else None
    return str(message)[:300] if message else ""


@dataclass
class TmdbClient:
    api_key: str = field(repr=False)  # a secret: never in a repr, a log line or a message
    language: str = "en-US"
    base_url: str = "https://api.themoviedb.org/3"
    timeout: float = 10.0

    @classmethod
    def from_settings(cls) -> TmdbClient:
        """The client with the user's key and language; `TmdbNotConfigured` without a key,
        `TmdbKeyUnreadable` when the stored key no longer opens."""
        try:
            key = config.secret("tmdb_api_key")
        except config.SecretUnreadable:
            raise TmdbKeyUnreadable() from None
        if not key:
            raise TmdbNotConfigured()
        return cls(
            api_key=key,
            language=config.get("tmdb_language"),
            base_url=settings.TMDB_API_URL,
            timeout=float(settings.TMDB_TIMEOUT_SECONDS),
        )

    # The API -----------------------------------------------------------------------------

    def search_tv(self, query: str, year: int | None = None, page: int = 1) -> dict[str, Any]:
        params: dict[str, Any] = {"query": query, "page": page, "include_adult": "false"}
        if year:
            params["first_air_date_year"] = year
        return self.get("/search/tv", params, SEARCH_TTL)

    def show(self, tmdb_id: int) -> dict[str, Any]:
        """`tv/{id}` with external ids, images (this language, none and English), content
        ratings and credits appended."""
        language = self.language.split("-")[0]
        params = {
            "append_to_response": SHOW_APPENDS,
            "include_image_language": ",".join(dict.fromkeys([language, "null", "en"])),
        }
        return self.get(f"/tv/{int(tmdb_id)}", params, SHOW_TTL, what=f"TV show {tmdb_id}")

    def season(self, tmdb_id: int, number: int) -> dict[str, Any]:
        what = f"season {number} of TV show {tmdb_id}"
        return self.get(f"/tv/{int(tmdb_id)}/season/{int(number)}", {}, SHOW_TTL, what=what)

    def configuration(self) -> dict[str, Any]:
        """Image base URL and sizes, cached for days as TMDB asks."""
        return self.get("/configuration", {}, CONFIGURATION_TTL, localised=False)

    # Plumbing ----------------------------------------------------------------------------

    def get(
        self,
        path: str,
        params: dict[str, Any],
        ttl: int,
        *,
        what: str = "",
        localised: bool = True,
    ) -> dict[str, Any]:
        """The JSON object TMDB answers for `path`, from the cache when it is there."""
        query = dict(params)
        if localised:
            query["language"] = self.language
        cache_key = self._cache_key(path, query)
        cached = cache.get(cache_key)
        if cached is not None:
            return dict(cached)
        answer = self._fetch(path, query, what or path)
        cache.set(cache_key, answer, ttl)
        return answer

    def _cache_key(self, path: str, query: dict[str, Any]) -> str:
        # The key itself never enters the cache key; the answers do not depend on it.
        text = json.dumps([self.base_url, path, sorted(query.items())], default=str)
        return "tmdb:" + hashlib.sha256(text.encode()).hexdigest()

    def _request(self, client: httpx.Client, path: str, query: dict[str, Any]) -> httpx.Response:
        headers = {"Accept": "application/json"}
        params = dict(query)
        if is_bearer_token(self.api_key):
            headers["Authorization"] = f"Bearer {self.api_key}"
        else:
            params["api_key"] = self.api_key
        return client.get(self.base_url + path, params=params, headers=headers)

    def _fetch(self, path: str, query: dict[str, Any], what: str) -> dict[str, Any]:
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            for attempt in range(1, ATTEMPTS + 1):
                last = attempt == ATTEMPTS
                try:
                    response = self._request(client, path, query)
                except httpx.TimeoutException:
                    raise TmdbUnavailable(
                        f"TMDB did not answer within {self.timeout:g} s; try again later"
                    ) from None
                except httpx.TransportError as exc:
                    if last:
                        raise TmdbUnavailable(
                            f"TMDB cannot be reached ({type(exc).__name__}); try again later"
                        ) from None
                    _sleep(BACKOFF_SECONDS * (1 << (attempt - 1)))
                    continue
                wait = self._wait_before_retry(response, attempt)
                if wait is None:
                    return self._parsed(response, what)
                logger.info("TMDB answered %s; retrying in %.1f s", response.status_code, wait)
                _sleep(wait)
        raise TmdbUnavailable("TMDB did not answer; try again later")  # pragma: no cover

    def _wait_before_retry(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before trying again, None to use the answer; raises when a retry
        cannot help (or the attempts are spent)."""
        status, last = response.status_code, attempt == ATTEMPTS
        if status == 429:
            after = _retry_after(response)
            if last or (after is not None and after > MAX_RETRY_AFTER):
                raise TmdbUnavailable(
                    "TMDB's rate limit was reached; try again "
                    + (f"in {after:.0f} s" if after is not None else "later"),
                    details={"retry_after": after},
                )
            return after if after is not None else BACKOFF_SECONDS
        if status >= 500:
            if last:
                raise TmdbUnavailable(f"TMDB answered {status}; try again later")
            return BACKOFF_SECONDS * (1 << (attempt - 1))
        return None

    def _parsed(self, response: httpx.Response, what: str) -> dict[str, Any]:
        status = response.status_code
        if status == 401:
            raise TmdbUnavailable(
                "TMDB refused the API key: " + (_tmdb_message(response) or "invalid key"),
                details={"setting": "tmdb_api_key"},
            )
        if status == 404:
            raise TmdbNotFound(f"TMDB has no {what}")
        if status != 200:
            raise TmdbUnavailable(f"TMDB answered {status}: {_tmdb_message(response) or 'error'}")
        try:
            body = response.json()
        except ValueError:
            raise TmdbUnavailable("TMDB answered with something that is not JSON") from None
        if not isinstance(body, dict):
            raise TmdbUnavailable("TMDB answered with an unexpected shape")
        return body
