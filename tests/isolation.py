"""Pytest plugin loaded before Django's settings (`-p tests.isolation` in pyproject): gives each
test run its own data dir, so the file-based SQLite test database (which end-to-end tests share
with real worker processes) never collides with another run's."""

from __future__ import annotations

import os
import tempfile

if not os.environ.get("NOMARR_DATA_DIR"):
    os.environ["NOMARR_DATA_DIR"] = tempfile.mkdtemp(prefix="nomarr-test-data-")
