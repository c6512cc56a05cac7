"""A stand-in `yt-dlp` program for tests (yt-dlp is not installed here): a real process that
takes yt-dlp's options, writes real bytes to the `--output` file (continuing one that exists,
as `--continue --no-part` does) and prints yt-dlp's `--newline` progress lines and `ERROR:`
messages. The `yt_dlp_program` fixture puts it first on PATH as `yt-dlp`.

Steered by the environment: FAKE_YTDLP_SOURCE (the file whose bytes "the video" is),
FAKE_YTDLP_LOG (each run appends its arguments as a JSON line), FAKE_YTDLP_ERROR (print this
as an ERROR and exit 1 after FAKE_YTDLP_FAIL_AFTER bytes), FAKE_YTDLP_DELAY (seconds between
progress lines)."""

from __future__ import annotations

import json
import os
import sys
import time

STEPS = 10


def size_text(size: float) -> str:
    """yt-dlp's format_bytes: two decimals and a binary unit."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.2f}{unit}"
        size /= 1024
    raise AssertionError("unreachable")


def main(argv: list[str]) -> int:
    if os.environ.get("FAKE_YTDLP_LOG"):
        with open(os.environ["FAKE_YTDLP_LOG"], "a") as log:
            log.write(json.dumps(argv) + "\n")
    if "--version" in argv:
        print("2024.08.06")
        return 0
    output = argv[argv.index("--output") + 1].replace("%%", "%")
    url = argv[argv.index("--") + 1]
    print(f"[generic] Extracting URL: {url}", flush=True)
    data = open(os.environ["FAKE_YTDLP_SOURCE"], "rb").read()  # noqa: SIM115 - a tiny script
    start = os.path.getsize(output) if "--continue" in argv and os.path.exists(output) else 0
    fail_after = int(os.environ.get("FAKE_YTDLP_FAIL_AFTER", len(data)))
    delay = float(os.environ.get("FAKE_YTDLP_DELAY", "0"))
    print(f"[download] Destination: {output}", flush=True)
    if start:
        print(f"[download] Resuming download at byte {start}", flush=True)
    step = max(1, len(data) // STEPS)
    with open(output, "ab" if start else "wb") as out:
        done = start
        while done < min(len(data), fail_after):
            piece = data[done : min(done + step, fail_after)]
            out.write(piece)
            out.flush()
            done += len(piece)
            percent = done * 100 / len(data)
            print(f"[download] {percent:5.1f}% of {size_text(len(data)):>10} at "
                  f"{size_text(step * 4):>10}/s ETA 00:{(len(data) - done) // (step * 4):02d}",
                  flush=True)  # fmt: skip
            time.sleep(delay)
    if os.environ.get("FAKE_YTDLP_ERROR"):
        print(f"ERROR: {os.environ['FAKE_YTDLP_ERROR']}", file=sys.stderr, flush=True)
        return 1
    print(f"[download] 100% of {size_text(len(data)):>10} in 00:00:01 at 1.00MiB/s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
