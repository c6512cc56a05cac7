"""A series' download source: a URL template such as
`https://media.example/show/s{season:02d}/e{episode:02d}.mkv`, filled in per episode.

Placeholders: `{season}`, `{episode}` (integers, format specs allowed: `{season:02d}`) and
`{key}` (the series key). The filled-in URL must be http or https with a host.
"""

from __future__ import annotations

from string import Formatter
from urllib.parse import urlsplit

from nomarr_site.domain import Invalid

FIELDS = frozenset({"season", "episode", "key"})
MAX_LENGTH = 2000
SCHEMES = ("http", "https")


def check_url(url: str, field: str = "source_url") -> str:
    """`url` when it is an http(s) URL with a host and no whitespace, else `Invalid`."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid(f"{field} must be an http or https URL", field=field)
    url = url.strip()
    if len(url) > MAX_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise Invalid(f"{field} must be one URL of at most {MAX_LENGTH} characters", field=field)
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise Invalid(f"{field} must be an http or https URL with a host", field=field)
    return url


def fill(template: str, season: int, episode: int, key: str = "") -> str:
    """The URL of one episode; `Invalid` when the template cannot be filled in."""
    try:
        url = template.format(season=season, episode=episode, key=key)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise Invalid(
            f"download_source cannot be filled in: {exc}", field="download_source"
        ) from None
    return check_url(url, "download_source")


def check_template(template: str) -> str:
    """The template, stripped, when its placeholders are known and it fills in to an http(s)
    URL; "" stays "" (no source). `Invalid` names the problem."""
    template = (template or "").strip()
    if not template:
        return ""
    if len(template) > MAX_LENGTH:
        raise Invalid(
            f"download_source is limited to {MAX_LENGTH} characters", field="download_source"
        )
    try:
        names = {name for _text, name, _spec, _conv in Formatter().parse(template) if name}
    except ValueError as exc:
        raise Invalid(f"download_source: {exc}", field="download_source") from None
    unknown = sorted(names - FIELDS)
    if unknown:
        raise Invalid(
            f"download_source: unknown placeholder(s) {', '.join(unknown)}; use "
            "{season}, {episode} or {key}",
            field="download_source",
        )
    fill(template, 1, 1, "key")
    return template
