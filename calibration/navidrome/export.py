"""`nom export-playlists DIR`: a default set of smart playlists (one per mood and tier, and a
few combinations), each written atomically; a file Nomarr did not write is never replaced."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from calibration.analytics import namespace, value_counts
from calibration.navidrome.criteria import nsp_text, playlist
from calibration.navidrome.query import QueryError
from library.tagging.tag_values import TIERS
from nomarr_site.domain import Invalid
from nomarr_site.files import atomic_write

logger = logging.getLogger(__name__)

MARK = "Nomarr:"  # every comment we write starts with it: the files we may replace
SHARED = 0o644
LIMIT = 500
COMBINATIONS = [
    ("feel-good", "Feel good", "{ns}:mood-regular is happy and {ns}:mood-regular is party"),
    ("calm", "Calm", "{ns}:mood-regular is relaxed and not {ns}:mood-loose is aggressive"),
    ("dark", "Dark and heavy", "{ns}:mood-regular is sad or {ns}:mood-regular is aggressive"),
    ("dance", "Dance", "{ns}:danceability > 0.7"),
]


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def default_set() -> list[tuple[str, str, str]]:
    """(file stem, playlist name, query) of the default playlists this library supports."""
    ns = namespace()
    found = []
    for tier in TIERS:
        for mood in sorted(value_counts(f"{ns}:mood-{tier}")):
            safe = "".join(c if c.isalnum() else "-" for c in mood.lower())
            found.append(
                (
                    f"mood-{safe}-{tier}",
                    f"{mood.capitalize()} ({tier})",
                    f'{ns}:mood-{tier} is "{mood}"',
                )
            )
    found += [(stem, name, query.format(ns=ns)) for stem, name, query in COMBINATIONS]
    return found


def ours(path: Path) -> bool:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(body, dict) and str(body.get("comment", "")).startswith(MARK)


def export_playlists(directory: str | Path) -> ExportReport:
    folder = Path(directory)
    if not folder.is_dir():
        raise Invalid(f"{folder} is not a folder")
    report = ExportReport()
    for stem, name, query in default_set():
        try:
            document = playlist(query, name, f"{MARK} {query}", limit=LIMIT)
        except QueryError:
            continue  # a combination this library has no tags for
        target = folder / f"nomarr-{stem}.nsp"
        if target.exists() and not ours(target):
            report.refused.append(str(target))
            continue
        atomic_write(target, nsp_text(document), mode=SHARED)
        report.written.append(str(target))
    logger.info("Exported %d playlists to %s", len(report.written), folder)
    return report
