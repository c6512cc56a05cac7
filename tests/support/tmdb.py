"""A TMDB server on 127.0.0.1 for tests: the v3 endpoints Nomarr uses (`configuration`,
`search/tv`, `tv/{id}` with appended responses, `tv/{id}/season/{n}`) and the image host,
answering with TMDB's published shapes and error bodies.

Tests steer it: `script` queues answers (status, headers, body) served before the normal
ones (a 429 with `Retry-After`, a 503 ...), `delay` slows every answer, and `requests` records
what arrived (path, query, headers) so a test sees what was sent and what came from a cache.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

V3_KEY = "0123456789abcdef0123456789abcdef"
V4_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJub21hcnItdGVzdCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
# Small real images (a 20x30 blue JPEG poster, a 40x12 red PNG logo), so pages show them.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZG"
    "NywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09P"
    "T09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAeABQDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA"
    "AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT"
    "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh"
    "cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp"
    "anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDIooor1jgCiiigAooooAKKKKAP/9k="
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAACgAAAAMCAIAAACfoWgaAAAAH0lEQVR4nGM8YWPDMBCAaUBsHbV41OJRi0ctHpIW"
    "AwBfMQFYCUODcwAAAABJRU5ErkJggg=="
)

SHOWS: dict[int, dict[str, Any]] = {
    1429: {
        "id": 1429,
        "name": "Attack on Titan",
        "original_name": "進撃の巨人",
        "original_language": "ja",
        "overview": "Several hundred years ago, humans were nearly exterminated by Titans.",
        "tagline": "",
        "first_air_date": "2013-04-07",
        "status": "Ended",
        "genres": [{"id": 16, "name": "Animation"}, {"id": 10759, "name": "Action & Adventure"}],
        "networks": [{"id": 1, "name": "MBS"}],
        "production_companies": [{"id": 2, "name": "Wit Studio"}],
        "vote_average": 8.7,
        "vote_count": 6000,
        "poster_path": "/poster1429.jpg",
        "backdrop_path": "/backdrop1429.jpg",
        "seasons": [
            {"season_number": 0, "episode_count": 2, "name": "Specials"},
            {"season_number": 1, "episode_count": 3, "name": "Season 1"},
            {"season_number": 2, "episode_count": 2, "name": "Season 2"},
        ],
        "external_ids": {"imdb_id": "tt2560140", "tvdb_id": 267440},
        "content_ratings": {"results": [{"iso_3166_1": "US", "rating": "TV-MA"}]},
        "credits": {
            "cast": [
                {
                    "name": "Yuki Kaji",
                    "character": "Eren Yeager",
                    "order": 0,
                    "profile_path": "/kaji.jpg",
                },
                {
                    "name": "Yui Ishikawa",
                    "character": "Mikasa Ackerman",
                    "order": 1,
                    "profile_path": None,
                },
            ]
        },
        "images": {
            "posters": [{"file_path": "/poster1429.jpg", "iso_639_1": "en", "vote_average": 5}],
            "logos": [
                {"file_path": "/logo1429.svg", "iso_639_1": "en", "vote_average": 9},
                {"file_path": "/logo1429.png", "iso_639_1": "en", "vote_average": 5},
            ],
            "backdrops": [{"file_path": "/backdrop1429.jpg", "iso_639_1": None}],
        },
    },
    777: {
        "id": 777,
        "name": "Quiet Show",
        "original_name": "Quiet Show",
        "overview": "",
        "first_air_date": "",
        "status": "In Production",
        "genres": [],
        "poster_path": None,
        "backdrop_path": None,
        "seasons": [],
        "external_ids": {},
        "content_ratings": {"results": []},
        "credits": {"cast": []},
        "images": {"posters": [], "logos": [], "backdrops": []},
    },
}
_EPISODES = {
    (1429, 0): [(1, "Ilse's Notebook", "2013-12-09"), (2, "The Sudden Visitor", "2014-04-09")],
    (1429, 1): [(1, "To You, in 2000 Years", "2013-04-07"), (2, "That Day", "2013-04-14"),
                (3, "A Dim Light Amid Despair", "2013-04-21")],
    (1429, 2): [(1, "Beast Titan", "2017-04-01"), (2, "Not Yet Aired", "2999-01-01")],
}  # fmt: skip


def episodes_of(show: int, season: int) -> list[dict[str, Any]]:
    return [
        {"episode_number": n, "season_number": season, "name": title, "air_date": aired,
         "overview": "", "id": show * 1000 + season * 100 + n}
        for n, title, aired in _EPISODES.get((show, season), [])
    ]  # fmt: skip


@dataclass
class FakeTmdb:
    url: str = ""
    script: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # path -> answer

    @property
    def api_url(self) -> str:
        return self.url + "/3"

    def api_requests(self, path: str = "") -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].startswith("/3" + path)]


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, str], Any]:
    return status, {}, {"status_code": code, "status_message": message, "success": False}


def _answer(fake: FakeTmdb, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    if path == "/3/configuration":
        base = fake.url + "/t/p/"
        sizes = ["w92", "w500", "original"]
        return 200, {}, {"images": {"base_url": base, "secure_base_url": base,
                                    "poster_sizes": sizes, "backdrop_sizes": ["w780", "original"],
                                    "logo_sizes": ["w500", "original"], "profile_sizes": sizes},
                         "change_keys": []}  # fmt: skip
    if path == "/3/search/tv":
        words = query.get("query", "").lower()
        found = [s for s in SHOWS.values() if words and words in s["name"].lower()]
        results = [
            {k: s[k] for k in ("id", "name", "original_name", "overview", "first_air_date",
                               "poster_path")} | {"backdrop_path": None, "genre_ids": []}
            for s in found
        ]  # fmt: skip
        return 200, {}, {"page": 1, "results": results, "total_pages": 1,
                         "total_results": len(results)}  # fmt: skip
    parts = path.split("/")  # "", "3", "tv", id, ["season", n]
    if len(parts) >= 4 and parts[2] == "tv" and parts[3].isdigit() and int(parts[3]) in SHOWS:
        show = SHOWS[int(parts[3])]
        if len(parts) == 4:
            appended = set(query.get("append_to_response", "").split(","))
            keys = {"external_ids", "images", "content_ratings", "credits"}
            return 200, {}, {k: v for k, v in show.items() if k not in keys or k in appended}
        if len(parts) == 6 and parts[4] == "season" and parts[5].isdigit():
            episodes = episodes_of(show["id"], int(parts[5]))
            if episodes:
                return 200, {}, {"season_number": int(parts[5]), "episodes": episodes}
    return _error(404, 34, "The resource you requested could not be found.")


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTmdb

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.fake.requests.append(
            {"path": parts.path, "query": query, "headers": dict(self.headers)}
        )
        if self.fake.delay:
            time.sleep(self.fake.delay)
        if parts.path in self.fake.images:
            status, data = self.fake.images[parts.path]
            return self._send(status, {"Content-Type": "image/jpeg"}, data)
        if parts.path.startswith("/t/p/"):
            body = PNG if parts.path.endswith(".png") else JPEG
            kind = "image/png" if parts.path.endswith(".png") else "image/jpeg"
            return self._send(200, {"Content-Type": kind}, body)
        if self.fake.script:
            status, headers, body = self.fake.script.pop(0)
        elif not self._authorised(query):
            status, headers, body = _error(
                401, 7, "Invalid API key: You must be granted a valid key."
            )
        else:
            status, headers, body = _answer(self.fake, parts.path, query)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._send(status, {"Content-Type": "application/json;charset=utf-8", **headers}, data)

    def _authorised(self, query: dict[str, str]) -> bool:
        bearer = self.headers.get("Authorization", "")
        return query.get("api_key") == V3_KEY or bearer == f"Bearer {V4_TOKEN}"

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass


@pytest.fixture
def tmdb_server():
    """A fresh fake TMDB on a free loopback port for one test."""
    fake = FakeTmdb()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def tmdb(tmdb_server, settings, db):
    """Nomarr configured for the fake TMDB with a valid v3 key; the answer cache empty."""
    from django.core.cache import cache

    from nomarr_site import config

    settings.TMDB_API_URL = tmdb_server.api_url
    settings.TMDB_TIMEOUT_SECONDS = 2
    config.set_value("tmdb_api_key", V3_KEY)
    cache.clear()
    return tmdb_server
