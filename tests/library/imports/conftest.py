"""Fixtures of the import tests: an import folder (the setting `import_roots`), a music
library, a series directory with one known show, sample NZBs, and the loopback SABnzbd and
NZBGet (tests/support/nzb_clients.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from library.models import Library, Series
from nomarr_site import config
from tests.support.nzb_clients import NZBGET_PASSWORD, NZBGET_USER, SAB_KEY

NZB = b"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" "http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">
<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">
  <head><meta type="title">Some Release</meta></head>
  <file poster="poster@example.org" date="1700000000" subject="Some.Release.part01.rar (1/2)">
    <groups><group>alt.binaries.test</group></groups>
    <segments>
      <segment bytes="768000" number="1">part1of2.abc@news.example.org</segment>
      <segment bytes="512000" number="2">part2of2.abc@news.example.org</segment>
    </segments>
  </file>
</nzb>
"""


@pytest.fixture
def incoming(tmp_path, db) -> Path:
    """The import folder, configured as the only import root."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    config.set_value("import_roots", [str(folder)])
    return folder


@pytest.fixture
def music(tmp_path, db) -> Library:
    root = tmp_path / "music"
    root.mkdir()
    return Library.objects.create(name="Music", root_path=str(root), is_default=True)


@pytest.fixture
def show(tmp_path, db) -> Series:
    """A series directory holding one show, "Attack on Titan (2013)"."""
    root = tmp_path / "series"
    (root / "Attack on Titan (2013)").mkdir(parents=True)
    config.set_value("series_directory", str(root))
    return Series.objects.create(
        key="attack-on-titan", name="Attack on Titan", folder="Attack on Titan (2013)", year=2013
    )


@pytest.fixture
def sabnzbd(sabnzbd_server, db):
    config.set_many(
        {
            "import_nzb_client": "sabnzbd",
            "sabnzbd_url": sabnzbd_server.url,
            "sabnzbd_api_key": SAB_KEY,
            "sabnzbd_category": "tv",
        }
    )
    return sabnzbd_server


@pytest.fixture
def nzbget(nzbget_server, db):
    config.set_many(
        {
            "import_nzb_client": "nzbget",
            "nzbget_url": nzbget_server.url,
            "nzbget_username": NZBGET_USER,
            "nzbget_password": NZBGET_PASSWORD,
            "nzbget_category": "movies",
        }
    )
    return nzbget_server


def write(path: Path, data: bytes = b"data") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_gz(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data))
    return path
