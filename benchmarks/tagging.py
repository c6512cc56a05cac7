"""Tagging throughput: N generated 4-minute tracks tagged through the whole app (queue, a real
`qcluster`, SQLite, tag writing) beside the bare Essentia decode + embedding + heads loop at
the same patch hops, measured in the same run on a full-size EfficientNet-B0 Discogs-EffNet.

    .venv/bin/python benchmarks/tagging.py [--tracks 8] [--fast] [--concurrency 1,2]

The first run creates benchmarks/.venv-tf (tensorflow-cpu, only to freeze the random-weight
graph) and caches the graph; later runs reuse both. Uses a private data dir. Not run by tests.
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
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402

TIMEOUT_SECONDS = 900
WARMUP_SECONDS = 20
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's CUDA probing noise


BASELINE = "baseline (bare Essentia loop)"


@dataclass(frozen=True)
class Measurement:
    preset: str
    label: str
    tracks: int
    wall: float
    cpu: float  # CPU-seconds of the measured process (tree)
    busy: float  # the whole machine's average busy cores meanwhile
    note: str = ""
    round: int = 1

    @property
    def per_minute(self) -> float:
        return self.tracks * 60 / self.wall

    @property
    def own_cores(self) -> float:
        return self.cpu / self.wall

    @property
    def others(self) -> float:
        return max(0.0, self.busy - self.own_cores)


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


# --- baseline: the bare Essentia loop -------------------------------------------------------


def _model_io(json_path: Path) -> tuple[str, str]:
    """Input and output node names from a model's published JSON: a backbone's embeddings
    output, a head's (only) predictions output."""
    meta = json.loads(json_path.read_text())
    outputs = meta["schema"]["outputs"]
    if meta["inference"]["algorithm"] != "TensorflowPredict2D":
        outputs = [o for o in outputs if o.get("output_purpose") == "embeddings"]
    return meta["schema"]["inputs"][0]["name"], outputs[0]["name"]


class BareEssentia:
    """MonoLoader(16 kHz) → TensorflowPredictEffnetDiscogs → TensorflowPredict2D per head."""

    def __init__(self, models_dir: Path, hop: int) -> None:
        import essentia
        import essentia.standard as es

        essentia.log.infoActive = False
        essentia.log.warningActive = False
        backbone = next((models_dir / "feature-extractors").rglob("*.pb"))
        inp, out = _model_io(backbone.with_suffix(".json"))
        self.es = es
        self.embed = es.TensorflowPredictEffnetDiscogs(
            graphFilename=str(backbone), input=inp, output=out, patchHopSize=hop
        )
        self.heads = []
        for graph in sorted((models_dir / "classification-heads").rglob("*.pb")):
            inp, out = _model_io(graph.with_suffix(".json"))
            self.heads.append(
                es.TensorflowPredict2D(graphFilename=str(graph), input=inp, output=out)
            )

        self.seconds = {"decode": 0.0, "embed": 0.0, "heads": 0.0}

    def run(self, path: Path) -> list:
        started = time.perf_counter()
        audio = self.es.MonoLoader(filename=str(path), sampleRate=16000, resampleQuality=4)()
        decoded = time.perf_counter()
        embeddings = self.embed(audio)
        embedded = time.perf_counter()
        scores = [head(embeddings).mean(axis=0) for head in self.heads]
        self.seconds["decode"] += decoded - started
        self.seconds["embed"] += embedded - decoded
        self.seconds["heads"] += time.perf_counter() - embedded
        return scores


def baseline(models_dir: Path, hop: int, tracks: list[Path], warmup: Path) -> Measurement:
    """The bare loop over `tracks` in this process, after one warm-up clip."""
    import psutil

    from benchmarks.cpu_meter import busy_seconds

    loop = BareEssentia(models_dir, hop)
    loop.run(warmup)
    loop.seconds = dict.fromkeys(loop.seconds, 0.0)
    system, cpu, wall = psutil.cpu_times(), time.process_time(), time.perf_counter()
    for path in tracks:
        loop.run(path)
    wall = time.perf_counter() - wall
    busy = busy_seconds(system, psutil.cpu_times()) / wall
    steps = ", ".join(f"{k} {v / len(tracks):.2f}" for k, v in loop.seconds.items())
    note = f"s/track: {steps}"
    return Measurement("", BASELINE, len(tracks), wall, time.process_time() - cpu, busy, note)


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


def app(
    preset: str, concurrency: int, workers: int, tracks: list[Path], warmups: list[Path], log: Path
) -> Measurement:
    from django.utils import timezone

    from benchmarks.cpu_meter import TreeMeter

    env = dict(os.environ)
    env.update(
        NOMARR_WORKERS=str(workers),
        NOMARR_CONCURRENCY_TAG=str(concurrency),
        NOMARR_TAGGING_PRESET=preset,
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
    label = f"app: {workers} workers, {concurrency} tag job{'s' if concurrency > 1 else ''} at once"
    return Measurement(preset, label, len(tracks), wall, cpu, busy, note)


# --- report ----------------------------------------------------------------------------------


def print_rounds(rows: list[Measurement]) -> None:
    print()
    print(
        f"{'preset':<10}{'run':<34}{'wall s':>7}{'tracks/min':>11}{'CPU s/track':>12}"
        f"{'own cores':>10}{'others':>8}  notes"
    )
    for row in rows:
        print(
            f"{row.preset:<10}{row.label:<34}{row.wall:>7.1f}{row.per_minute:>11.2f}"
            f"{row.cpu / row.tracks:>12.2f}{row.own_cores:>10.2f}{row.others:>8.2f}  {row.note}"
        )


def print_summary(rows: list[Measurement], cores: int) -> None:
    """Best round of each run (the least disturbed by other load), and the verdict."""
    best: dict[tuple[str, str], Measurement] = {}
    for row in rows:
        key = (row.preset, row.label)
        if key not in best or row.per_minute > best[key].per_minute:
            best[key] = row
    print()
    print(f"Best of {max(r.round for r in rows)} round(s); {cores} cores on this machine:")
    print(f"{'preset':<10}{'run':<34}{'tracks/min':>11}{'CPU s/track':>12}{'own cores':>10}"
          f"{'app/baseline':>13}")  # fmt: skip
    for (preset, label), row in best.items():
        base = best[(preset, BASELINE)]
        ratio = row.per_minute / base.per_minute
        verdict = ""
        if label != BASELINE:
            fast_enough = "ok" if ratio >= 0.9 else "BELOW 0.90"
            all_cores = "every core" if row.own_cores >= 0.9 * cores else "CORES IDLE"
            verdict = f"  {fast_enough}, {all_cores}"
        print(
            f"{preset:<10}{label:<34}{row.per_minute:>11.2f}{row.cpu / row.tracks:>12.2f}"
            f"{row.own_cores:>10.2f}{ratio:>13.2f}{verdict}"
        )
    print(
        "own cores: CPU-seconds of the measured process tree / wall time; others: the rest of"
        " the machine's busy cores meanwhile (load from other programs skews that round)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=8, help="generated tracks (default 8)")
    parser.add_argument("--seconds", type=float, default=240.0, help="track length (240)")
    parser.add_argument("--fast", action="store_true", help="also run the fast hop preset")
    parser.add_argument(
        "--concurrency", default="1,2", help="tag jobs at once, comma-separated (1,2)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions (3)")
    parser.add_argument(
        "--profile", action="store_true", help="also break one track down by pipeline step"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    levels = [int(v) for v in args.concurrency.split(",") if v.strip()]
    if min(args.tracks, args.workers, args.rounds, *levels) < 1:
        parser.error("--tracks, --workers, --rounds and --concurrency must be at least 1")

    from benchmarks import effnet_models

    # A plain `kill` also goes through the finally blocks that stop the worker subprocess.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="nomarr-tag-bench-"))
    try:
        models = effnet_models.write_suite(work / "models")
        setup_django(work / "data", models)
        from library.models import Library
        from library.scanning.scanner import scan_library
        from library.tagging.steps import HOP_PRESETS

        music = work / "music"
        print(f"Generating {args.tracks} tracks of {args.seconds:.0f} s in {music} ...", flush=True)
        tracks = generate(music / "bench", args.tracks, args.seconds)
        warmups = generate(music / "warmup", max(levels), WARMUP_SECONDS)
        scan_library(Library.objects.create(name="Bench", root_path=str(music)))

        rows: list[Measurement] = []
        for number in range(1, args.rounds + 1):
            for preset in ["reference"] + (["fast"] if args.fast else []):
                hop = HOP_PRESETS[preset]["TensorflowPredictEffnetDiscogs"]
                print(f"round {number} [{preset}] baseline, patch hop {hop} ...", flush=True)
                row = baseline(models, hop, tracks, warmups[0])
                rows.append(replace(row, preset=preset, round=number))
                for level in levels:
                    print(f"round {number} [{preset}] app, {level} at once ...", flush=True)
                    row = app(preset, level, args.workers, tracks, warmups, work / "cluster.log")
                    rows.append(replace(row, round=number))
        print_rounds(rows)
        print_summary(rows, os.cpu_count() or 1)
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
