"""Tagging throughput: N generated 4-minute tracks tagged through the whole app (queue, a real
`qcluster`, SQLite, tag writing) on each inference engine (essentia, openvino exact, openvino
fast) beside the bare Essentia loop in as many processes at the same patch hops, on full-size
Discogs-EffNet and MSD-MusiCNN graphs; plus inference GFLOP/s against the CPU's f32 peak and
`fast`'s agreement with `exact`.

    .venv/bin/python benchmarks/tagging.py [--tracks 8] [--rounds 1] [--fast] [--concurrency]

The first run creates benchmarks/.venv-tf (tensorflow-cpu, only to freeze the random-weight
graphs) and caches the graphs; later runs reuse both. Uses a private data dir. Not run by tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this folder would come first on sys.path and benchmarks/queue.py would
# shadow the standard `queue` module that multiprocessing and django-q2 import.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import replace  # noqa: E402

TIMEOUT_SECONDS = 900
WARMUP_SECONDS = 20
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's CUDA probing noise

from benchmarks.tagging_report import (  # noqa: E402
    BASELINE,
    Measurement,
    best_rows,
    print_agreement,
    print_arithmetic,
    print_rounds,
    print_summary,
)


def setup_django(data_dir: Path, models_dir: Path) -> None:
    os.environ["NOMARR_DATA_DIR"] = str(data_dir)
    os.environ["NOMARR_MODELS_DIR"] = str(models_dir)
    os.environ.setdefault("NOMARR_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def generate(folder: Path, count: int, seconds: float) -> list[Path]:
    """`count` tracks alternating MP3 and FLAC, each a different tone, encoded in parallel."""
    from tests.support.audio import make_audio

    def one(index: int) -> Path:
        suffix = ("mp3", "flac")[index % 2]
        path = folder / "Bench Artist" / "Bench Album" / f"{index + 1:02d} Track.{suffix}"
        tags = {"title": f"Track {index + 1}", "artist": "Bench Artist", "album": "Bench Album"}
        return make_audio(path, seconds=seconds, frequency=220.0 + 37 * index, tags=tags)

    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        return list(pool.map(one, range(count)))


# --- the app: queue, qcluster, database, tag writing -----------------------------------------


def wait_until(predicate, what: str, meter=None) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        if meter is not None:
            meter.sample()
        time.sleep(0.1)


def start_cluster(env: dict[str, str], log: Path) -> subprocess.Popen:
    """Launch `qcluster` in its own process group (the caller must `stop_cluster` it)."""
    from jobs.models import WorkerHeartbeat

    WorkerHeartbeat.objects.all().delete()
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "nomarr_site.cli", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for_cluster(cluster: subprocess.Popen) -> None:
    from jobs.models import WorkerHeartbeat

    def ready() -> bool:
        if cluster.poll() is not None:
            raise SystemExit(f"qcluster exited with {cluster.returncode}; see cluster.log")
        return WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.CLUSTER).exists()

    wait_until(ready, "the cluster to start")


def stop_cluster(cluster: subprocess.Popen) -> None:
    """SIGKILL the cluster's whole process group: its results are already in the database, and
    django-q2's graceful SIGTERM stop takes longer than the runs it would end. Signals to this
    process wait until the group is gone, so an interrupt cannot leave workers behind."""
    caught = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, caught)
    try:
        os.killpg(cluster.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    finally:
        cluster.wait()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, caught)


def tag_all(paths: list[Path], meter=None) -> list:
    """Queue `paths` as `tag` jobs (forced, so every run does the same work) and wait."""
    from jobs.models import Job
    from library.tagging.requests import queue_paths

    report = queue_paths([str(p) for p in paths], force=True)
    if report.refused:
        raise SystemExit(f"refused: {report.refused}")
    ids = [job.pk for job in report.jobs]
    active = Job.objects.filter(pk__in=ids, status__in=Job.ACTIVE)
    wait_until(lambda: not active.exists(), "the tag jobs", meter)
    jobs = list(Job.objects.filter(pk__in=ids).order_by("started_at"))
    failed = [f"{job.path}: {job.error_message}" for job in jobs if job.status != Job.Status.DONE]
    if failed:
        raise SystemExit("tag jobs failed:\n  " + "\n  ".join(failed))
    unwritten = [job.path for job in jobs if not (job.result or {}).get("written")]
    if unwritten:
        raise SystemExit(f"tags were not written to {unwritten}")
    return jobs


def warm_up(clips: list[Path], workers: int) -> None:
    """Tag short clips until every worker process has loaded TensorFlow and the graphs, so the
    timed run measures steady state (the baseline is warmed the same way)."""
    warmed: set[str] = set()
    for _round in range(12):
        warmed |= {job.worker_id for job in tag_all(clips)}
        if len(warmed) >= workers:
            return
    print(f"  warning: only {len(warmed)} of {workers} workers warmed up", flush=True)


def queue_note(jobs: list, enqueued_at) -> str:
    """Where the wall time went outside the jobs themselves."""
    running = sum((j.finished_at - j.started_at).total_seconds() for j in jobs)
    first = (jobs[0].started_at - enqueued_at).total_seconds()
    return f"job time {running / len(jobs):.2f} s/track, first claim after {first:.2f} s"


ENGINES = (("essentia", "exact"), ("openvino", "exact"), ("openvino", "fast"))


def app(
    preset: str,
    engine: tuple[str, str],
    concurrency: int,
    workers: int,
    tracks: list[Path],
    warmups: list[Path],
    log: Path,
) -> Measurement:
    from django.utils import timezone

    from benchmarks.cpu_meter import TreeMeter

    env = dict(os.environ)
    env.update(
        NOMARR_WORKERS=str(workers),
        NOMARR_CONCURRENCY_TAG=str(concurrency),
        NOMARR_TAGGING_PRESET=preset,
        NOMARR_INFERENCE_ENGINE=engine[0],
        NOMARR_INFERENCE_PRECISION=engine[1],
    )
    cluster = start_cluster(env, log)
    try:
        wait_for_cluster(cluster)
        warm_up(warmups, workers)
        meter = TreeMeter(cluster.pid)
        meter.start()
        enqueued_at = timezone.now()
        jobs = tag_all(tracks, meter)
        wall, cpu, busy = meter.stop()
    finally:
        stop_cluster(cluster)
    note = f"{queue_note(jobs, enqueued_at)}, peak RSS (sum) {meter.peak_rss / 2**20:.0f} MB"
    name = engine[0] if engine[0] == "essentia" else f"{engine[0]} {engine[1]}"
    label = f"app: {name}, {concurrency} job{'s' if concurrency > 1 else ''} at once"
    return Measurement(preset, label, len(tracks), wall, cpu, busy, note)


def bare(preset: str, models: Path, tracks: list[Path], warmup: Path, processes: int):
    from benchmarks.tagging_bare import run_bare
    from library.tagging.steps import HOP_PRESETS

    wall, cpu, busy, per_track = run_bare(
        models, dict(HOP_PRESETS[preset]), tracks, warmup, processes
    )
    label = f"{BASELINE}, {processes} processes"
    note = f"{per_track:.2f} s/track in one process"
    return Measurement(preset, label, len(tracks), wall, cpu, busy, note)


def snapshot(paths: list[Path]) -> dict:
    """Every stored score and mood tier of the benchmark tracks, to compare engines."""
    from library.models import Track, TrackScore

    tracks = Track.objects.filter(path__in=[str(p) for p in paths])
    scores = {
        (row.track_id, row.head, row.label): row.score_mean
        for row in TrackScore.objects.filter(track__in=tracks)
    }
    tiers = {
        (track.pk, tier): (track.namespace_tags or {}).get(f"nom:mood-{tier}")
        for track in tracks
        for tier in ("strict", "regular", "loose")
    }
    return {"scores": scores, "tiers": tiers}


def patches_per_track(path: Path) -> dict[str, int]:
    from library.models import TrackEmbedding

    rows = TrackEmbedding.objects.filter(track__path=str(path))
    return {row.backbone: row.patches for row in rows}


def inference_seconds(models: Path, path: Path) -> dict[str, float]:
    """Seconds one track's backbones and heads take on each engine in this process, every
    core for OpenVINO (decoding and mel features excluded; best of two after a warm-up)."""
    from library.tagging import steps
    from library.tagging.cache import AlgorithmCache
    from library.tagging.engines import EngineSettings, make_engine
    from library.tagging.features import TrackFeatures
    from library.tagging.model_suite import discover

    suite = discover(models)
    audio = steps.decode(str(path))
    seconds = {}
    for name, precision in ENGINES:
        settings = EngineSettings(name, precision, os.cpu_count() or 1)
        engine = make_engine(settings, AlgorithmCache())
        track = TrackFeatures(audio)
        track.frames  # noqa: B018 - the mel features, computed before the clock starts
        timings = []
        for _round in range(3):
            started = time.perf_counter()
            for embedding in suite.embeddings:
                vectors = engine.embed(track, embedding, steps.REFERENCE_HOPS)
                for head in embedding.heads:
                    engine.predict(vectors, head)
            timings.append(time.perf_counter() - started)
        seconds[settings.label] = min(timings[1:])
    return seconds


def print_fast_precision() -> None:
    """What `fast` means on this CPU: its reduced precision, or none (then it is `exact`)."""
    from library.tagging.openvino_models import availability, reduced_precision

    if not availability()[0]:
        return
    kind = reduced_precision()
    same = " (no reduced precision here: the same arithmetic as exact)" if kind == "f32" else ""
    print(f"openvino fast runs in {kind} on this CPU{same}.")


def backbone_flops(models: Path) -> dict[str, float]:
    from benchmarks.flops import graph_flops
    from library.tagging.model_suite import discover

    return {
        e.name: graph_flops(e.file.path, e.meta.input_name, e.output_name)
        for e in discover(models).embeddings
    }


def print_framewise(models: Path, patches: dict[str, int]) -> None:
    """What OpenVINO computes for MusiCNN split per frame, beside the whole graph per patch."""
    from benchmarks.flops import framewise_flops, graph_flops
    from library.tagging.features import MUSICNN, PATCH_FRAMES
    from library.tagging.model_suite import discover
    from library.tagging.steps import REFERENCE_HOPS

    for e in discover(models).embeddings:
        count = patches.get(e.name, 0)
        if e.meta.algorithm != MUSICNN or not count:
            continue
        frames = (count - 1) * REFERENCE_HOPS[MUSICNN] + PATCH_FRAMES[MUSICNN]
        split = framewise_flops(e.file.path, e.meta.input_name, e.output_name, frames, count)
        whole = graph_flops(e.file.path, e.meta.input_name, e.output_name) * count
        if split is None:
            print(f"  {e.name} does not split per frame: OpenVINO runs it whole")
            continue
        print(
            f"  OpenVINO runs {e.name} split per frame: {split / 1e9:.1f} GFLOP/track computed "
            f"instead of {whole / 1e9:.1f} (the rates above count the whole graph's arithmetic)"
        )


def run_rounds(args, models: Path, tracks: list[Path], warmups: list[Path], log: Path):
    """Bare loop and app runs, interleaved per round; scores of the last exact and fast runs."""
    rows: list[Measurement] = []
    snapshots: dict[str, dict] = {}
    for number in range(1, args.rounds + 1):
        for preset in ["reference"] + (["fast"] if args.fast else []):
            print(f"round {number} [{preset}] bare Essentia loop ...", flush=True)
            rows.append(
                replace(bare(preset, models, tracks, warmups[0], args.workers), round=number)
            )
            runs = [(engine, args.workers) for engine in ENGINES]
            if args.concurrency:  # one job using every core, against one job per core
                runs.append((("openvino", "exact"), 1))
            for engine, level in runs:
                print(f"round {number} [{preset}] app on {engine}, {level} at once ...", flush=True)
                row = app(preset, engine, level, args.workers, tracks, warmups, log)
                rows.append(replace(row, round=number))
                if preset == "reference" and level == args.workers:
                    snapshots[" ".join(engine)] = snapshot(tracks)
    return rows, snapshots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=8, help="generated tracks (default 8)")
    parser.add_argument("--seconds", type=float, default=240.0, help="track length (240)")
    parser.add_argument("--fast", action="store_true", help="also run the fast hop preset")
    parser.add_argument(
        "--concurrency",
        action="store_true",
        help="also run OpenVINO exact as one tag job using every core",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved repetitions (1)")
    parser.add_argument(
        "--profile", action="store_true", help="also break one track down by pipeline step"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if min(args.tracks, args.workers, args.rounds) < 1:
        parser.error("--tracks, --workers and --rounds must be at least 1")

    from benchmarks import tagging_models
    from benchmarks.flops import cpu_peak

    # A plain `kill` also goes through the finally blocks that stop the worker subprocess.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="nomarr-tag-bench-"))
    try:
        models = tagging_models.write_suite(work / "models")
        setup_django(work / "data", models)
        from library.models import Library
        from library.scanning.scanner import scan_library

        music = work / "music"
        print(f"Generating {args.tracks} tracks of {args.seconds:.0f} s in {music} ...", flush=True)
        tracks = generate(music / "bench", args.tracks, args.seconds)
        warmups = generate(music / "warmup", args.workers, WARMUP_SECONDS)
        scan_library(Library.objects.create(name="Bench", root_path=str(music)))

        rows, snapshots = run_rounds(args, models, tracks, warmups, work / "cluster.log")
        print_rounds(rows)
        print_summary(rows, os.cpu_count() or 1)
        print_fast_precision()
        print("Measuring inference alone on one track ...", flush=True)
        inference = inference_seconds(models, tracks[0])
        print_arithmetic(
            backbone_flops(models),
            patches_per_track(tracks[0]),
            inference,
            best_rows(rows),
            cpu_peak(),
        )
        print_framewise(models, patches_per_track(tracks[0]))
        if "openvino exact" in snapshots and "openvino fast" in snapshots:
            print_agreement(snapshots["openvino exact"], snapshots["openvino fast"])
        if args.profile:
            from benchmarks.step_profile import profile_steps

            profile_steps(tracks[:2])
    finally:
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
