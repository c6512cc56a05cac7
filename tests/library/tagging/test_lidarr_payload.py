"""Reading Lidarr's webhook payloads: what each event type queues, and malformed bodies."""

from __future__ import annotations

import pytest

from library.api.lidarr import MalformedPayload, parse

ARTIST = {
    "id": 1,
    "name": "Boards of Canada",
    "disambiguation": "",
    "path": "/music/Boards of Canada",
    "mbId": "69158f97-4c07-4c4e-baf8-4e4ab1ed666e",
    "type": "Group",
    "overview": "",
    "genres": ["Electronic"],
}


def download_payload(**extra):
    payload = {
        "eventType": "Download",
        "instanceName": "Lidarr",
        "applicationUrl": "",
        "artist": ARTIST,
        "tracks": [{"id": 7, "title": "Roygbiv", "trackNumber": "5"}],
        "trackFiles": [
            {
                "id": 11,
                "path": "/music/Boards of Canada/Music Has the Right/05 Roygbiv.flac",
                "quality": "FLAC",
                "qualityVersion": 1,
                "size": 123,
            },
            {
                "id": 12,
                "path": "/music/Boards of Canada/Music Has the Right/06 Turquoise.flac",
                "quality": "FLAC",
                "qualityVersion": 1,
                "size": 456,
            },
        ],
        "deletedFiles": [{"id": 3, "path": "/music/Boards of Canada/old.mp3"}],
        "isUpgrade": True,
        "downloadClient": "SABnzbd",
        "downloadId": "abc",
    }
    payload.update(extra)
    return payload


def test_test_event_queues_nothing():
    request = parse({"eventType": "Test", "artist": ARTIST})
    assert request.files == [] and request.folders == []
    assert not request.ignored


def test_download_queues_every_track_file_but_never_deleted_files():
    request = parse(download_payload())
    assert request.files == [
        "/music/Boards of Canada/Music Has the Right/05 Roygbiv.flac",
        "/music/Boards of Canada/Music Has the Right/06 Turquoise.flac",
    ]
    assert "/music/Boards of Canada/old.mp3" not in request.files
    assert request.is_upgrade is True


def test_duplicate_track_files_are_queued_once():
    files = [{"path": "/music/a.flac"}, {"path": "/music/a.flac"}]
    assert parse(download_payload(trackFiles=files)).files == ["/music/a.flac"]


@pytest.mark.parametrize("event", ["Retag", "Rename"])
def test_retag_and_rename_queue_the_artist_folder(event):
    request = parse({"eventType": event, "artist": ARTIST})
    assert request.folders == ["/music/Boards of Canada"]
    assert request.files == []


@pytest.mark.parametrize("event", ["Grab", "AlbumDelete", "Health", "ApplicationUpdate"])
def test_other_events_are_ignored(event):
    request = parse({"eventType": event, "artist": ARTIST})
    assert request.ignored
    assert request.files == [] and request.folders == []


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "Download",
        {},
        {"eventType": 5},
        {"eventType": "Download"},
        {"eventType": "Download", "trackFiles": "x"},
        {"eventType": "Download", "trackFiles": [{"id": 1}]},
        {"eventType": "Download", "trackFiles": [{"path": ""}]},
        {"eventType": "Download", "trackFiles": ["/music/a.flac"]},
        {"eventType": "Retag"},
        {"eventType": "Rename", "artist": {"name": "x"}},
    ],
)
def test_malformed_payloads_are_refused(payload):
    with pytest.raises(MalformedPayload):
        parse(payload)
