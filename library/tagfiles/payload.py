"""Hashes the audio payload of a file, excluding every tag block, by walking the container:
MP3 frames between ID3v2 and ID3v1/APE, FLAC frames after the metadata blocks, Ogg packets
except the comment header, M4A `mdat` contents. Broken structure raises a clear error."""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
from collections.abc import Iterator

from library.tagfiles.errors import CorruptAudio, EmptyFile, NotAudio, TruncatedAudio

_BITRATES = {  # kbit/s by (MPEG-1?, layer) and bitrate index
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _id3v2_end(data: mmap.mmap, start: int = 0) -> int:
    """Offset just past an ID3v2 tag at `start` (or `start` when there is none)."""
    if data[start : start + 3] != b"ID3" or len(data) < start + 10:
        return start
    size = 0
    for byte in data[start + 6 : start + 10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if data[start + 5] & 0x10 else 0
    return start + 10 + size + footer


def _mp3_frame_length(header: bytes) -> int | None:
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    rate_index, sr_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer_bits == 0 or rate_index in (0, 15) or sr_index == 3:
        return None  # reserved values, or free-format bitrate we cannot walk
    layer, mpeg1 = 4 - layer_bits, version == 3
    table = _BITRATES[(mpeg1, layer)] if mpeg1 or layer == 1 else _BITRATES[(False, 2)]
    bitrate = table[rate_index] * 1000
    sample_rate = _SAMPLE_RATES[version][sr_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // sample_rate + padding) * 4
    if layer == 3 and not mpeg1:
        return 72 * bitrate // sample_rate + padding
    return 144 * bitrate // sample_rate + padding


def _mp3_audio_end(data: mmap.mmap, start: int) -> int:
    end = len(data)
    if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
    if end - start >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
        size, flags = struct.unpack("<II", data[end - 20 : end - 12])
        end -= size + (32 if flags & 0x80000000 else 0)
    return max(start, end)


def _mp3(data: mmap.mmap, path: str, digest: hashlib._Hash) -> None:
    start = _id3v2_end(data)
    if start > len(data):
        raise TruncatedAudio(path, f"{path} ends inside its ID3 tag")
    end = _mp3_audio_end(data, start)
    if _mp3_frame_length(data[start : start + 4]) is None:
        raise NotAudio(path, f"{path} is not an MP3 file (no MPEG audio frame where one belongs)")
    position = start
    while position < end:
        length = _mp3_frame_length(data[position : position + 4])
        if length is None:
            break  # trailing junk or a tag we do not know: not ours to judge
        if position + length > end:
            raise TruncatedAudio(path, f"{path} is truncated: its last MP3 frame is incomplete")
        position += length
    digest.update(data[start:end])


def _flac(data: mmap.mmap, path: str, digest: hashlib._Hash) -> None:
    position = _id3v2_end(data)
    if data[position : position + 4] != b"fLaC":
        raise NotAudio(path, f"{path} is not a FLAC file (no 'fLaC' signature)")
    position += 4
    last = False
    while not last:
        if position + 4 > len(data):
            raise TruncatedAudio(path, f"{path} is truncated inside its FLAC metadata")
        header = data[position]
        last = bool(header & 0x80)
        position += 4 + int.from_bytes(data[position + 1 : position + 4], "big")
    if position >= len(data):
        raise TruncatedAudio(path, f"{path} has FLAC metadata but no audio frames")
    if data[position] != 0xFF or data[position + 1] & 0xFE != 0xF8:
        raise CorruptAudio(path, f"{path}: no FLAC frame follows the metadata blocks")
    digest.update(data[position:])


def _ogg_packets(data: mmap.mmap, path: str) -> Iterator[tuple[bytes, int, bytes]]:
    """Yield (serial, packet index, packet bytes) for every complete packet; check that every
    logical stream ends with its end-of-stream page."""
    if data[:4] != b"OggS":
        raise NotAudio(path, f"{path} is not an Ogg file (no 'OggS' signature)")
    position = 0
    pending: dict[bytes, bytes] = {}  # by stream serial: the bytes of an unfinished packet
    counts: dict[bytes, int] = {}
    ended: dict[bytes, bool] = {}
    while position < len(data):
        if data[position : position + 4] != b"OggS" or position + 27 > len(data):
            raise TruncatedAudio(path, f"{path} is truncated or damaged at byte {position}")
        flags, serial = data[position + 5], data[position + 14 : position + 18]
        segments = data[position + 26]
        lacing = data[position + 27 : position + 27 + segments]
        body = position + 27 + segments
        if body + sum(lacing) > len(data) or len(lacing) < segments:
            raise TruncatedAudio(path, f"{path} is truncated: its last Ogg page is incomplete")
        for value in lacing:
            pending[serial] = pending.get(serial, b"") + data[body : body + value]
            body += value
            if value < 255:
                yield serial, counts.get(serial, 0), pending.pop(serial)
                counts[serial] = counts.get(serial, 0) + 1
        ended[serial] = bool(flags & 0x04)
        position = body
    if not all(ended.values()) or pending:
        raise TruncatedAudio(path, f"{path} is truncated: an Ogg stream has no end page")


def _ogg(data: mmap.mmap, path: str, digest: hashlib._Hash) -> None:
    for serial, index, packet in _ogg_packets(data, path):
        if index == 1:
            continue  # the comment header (Vorbis comments / OpusTags): the tags themselves
        digest.update(serial + len(packet).to_bytes(4, "big") + packet)


def _mp4(data: mmap.mmap, path: str, digest: hashlib._Hash) -> None:
    if data[4:8] != b"ftyp":
        raise NotAudio(path, f"{path} is not an MP4/M4A file (no 'ftyp' atom)")
    position, found = 0, False
    while position + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[position + 8 : position + 16])[0], 16
        elif size == 0:
            size = len(data) - position
        if size < header or position + size > len(data):
            raise TruncatedAudio(
                path, f"{path} is truncated inside its '{kind.decode('latin-1')}' atom"
            )
        if kind == b"mdat":
            found = True
            digest.update(data[position + header : position + size])
        position += size
    if not found:
        raise CorruptAudio(path, f"{path} has no audio data ('mdat' atom)")


_HASHERS = {"mp3": _mp3, "flac": _flac, "ogg": _ogg, "opus": _ogg, "m4a": _mp4}


def audio_payload_hash(path: str | os.PathLike, fmt: str) -> str:
    """SHA-256 of the audio payload of `path` read as `fmt` (see formats.detect_format)."""
    path = os.fspath(path)
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise EmptyFile(path, f"{path} is empty (0 bytes)")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            digest = hashlib.sha256()
            _HASHERS[fmt](data, path, digest)
            return digest.hexdigest()
