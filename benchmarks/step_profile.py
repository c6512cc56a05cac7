"""Where one tag job's time goes: runs queued `tag` jobs in this process under cProfile (the
same `jobs.transport.work_one` a worker runs) and splits the time by pipeline step."""

from __future__ import annotations

import cProfile
import pstats
import time
from pathlib import Path

# (label, module path fragment, function name): cumulative time of each, per track.
STEPS = (
    ("claim the job", "jobs/services/claim.py", "claim_next"),
    ("load the model suite", "library/tagging/tag_file.py", "load_suite"),
    ("read + check the file", "library/tagfiles/reader.py", "read_tags"),
    ("decode (MonoLoader)", "library/tagging/steps.py", "decode"),
    ("mel features (OpenVINO engine)", "library/tagging/features.py", "mel_frames"),
    ("embeddings (every backbone)", "library/tagging/engines.py", "embed"),
    ("heads", "library/tagging/engines.py", "predict"),
    ("store raw scores (DB)", "library/tagging/tag_file.py", "store_scores"),
    ("store embeddings (DB)", "library/tagging/stored_embeddings.py", "store_embeddings"),
    ("derive tags", "library/tagging/tag_values.py", "derive_tags"),
    ("write tags (verified copy)", "library/tagfiles/writer.py", "write_tags"),
    ("mark the track (DB)", "library/tagging/tag_file.py", "_mark_tagged"),
    ("progress + events", "jobs/runner.py", "progress"),
    ("finish the job (DB, events)", "jobs/runner.py", "_finish"),
)


def _cumulative(stats: pstats.Stats, fragment: str, name: str) -> float:
    return sum(
        entry[3]
        for (filename, _line, function), entry in stats.stats.items()  # type: ignore[attr-defined]
        if function == name and filename.replace("\\", "/").endswith(fragment)
    )


def profile_steps(tracks: list[Path]) -> None:
    """Queue `tracks` (forced) and run them in this process, printing seconds per step."""
    from jobs.transport import work_one
    from library.tagging.requests import queue_paths

    queue_paths([str(p) for p in tracks], force=True)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    ran = 0
    while ran < len(tracks):
        done = work_one()
        if not done:
            break
        ran += done
    profiler.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    print()
    print(f"One tag job at a time in this process under cProfile, {ran} tracks:")
    accounted = 0.0
    for label, fragment, name in STEPS:
        seconds = _cumulative(stats, fragment, name) / max(ran, 1)
        accounted += seconds  # the listed steps do not nest inside one another
        print(f"  {label:<30}{seconds:>8.3f} s/track")
    print(f"  {'everything else':<30}{max(0.0, total / max(ran, 1) - accounted):>8.3f} s/track")
    print(f"  {'total':<30}{total / max(ran, 1):>8.3f} s/track")
