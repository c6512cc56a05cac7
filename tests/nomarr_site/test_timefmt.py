"""The one ISO timestamp format: UTC with a Z, at the precision asked for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from nomarr_site.timefmt import utc_iso


def test_a_moment_in_another_zone_is_written_in_utc_with_a_z():
    paris = timezone(timedelta(hours=1))
    moment = datetime(2025, 12, 13, 10, 1, 30, 123456, tzinfo=paris)
    assert utc_iso(moment) == "2025-12-13T09:01:30.123456Z"
    assert utc_iso(moment, "milliseconds") == "2025-12-13T09:01:30.123Z"
    assert utc_iso(moment, "seconds") == "2025-12-13T09:01:30Z"


def test_without_a_moment_it_is_now():
    before = datetime.now(UTC).replace(microsecond=0)
    written = datetime.fromisoformat(utc_iso(timespec="seconds"))
    assert before <= written <= datetime.now(UTC)
