"""A short-lived cache of answers computed from every track's tags (analytics, the Navidrome
tag catalogue, playlist previews). The queries read the tag index (`library.tag_index`) and
take tens of milliseconds at 100,000 tracks; the cache spares pages that ask the same several
times (the Navidrome page reads the catalogue twice) and repeated visits.

An answer is cached under the tags' generation, a number Nomarr bumps whenever it writes tags
(`bump`, called by the tagger and the recalibration), so those changes show at once; tags read
by a scan (edited outside Nomarr) show when the entry expires, after `TTL_SECONDS`."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from nomarr_site.models import AppSetting

GENERATION_KEY = "internal.tags_generation"
TTL_SECONDS = 60
T = TypeVar("T")


def generation() -> str:
    row = AppSetting.objects.filter(key=GENERATION_KEY).values_list("value", flat=True).first()
    return str(row) if row is not None else "0"


def bump() -> None:
    """Tags changed: every cached answer is out of date."""
    AppSetting.objects.update_or_create(key=GENERATION_KEY, defaults={"value": uuid.uuid4().hex})


def cached(name: str, params: Any, compute: Callable[[], T]) -> T:
    """`compute()`, or its answer for the same name, parameters and tags generation."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    key = f"tags:{generation()}:{name}:{digest[:32]}"
    found: T | None = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TTL_SECONDS)
    return found
