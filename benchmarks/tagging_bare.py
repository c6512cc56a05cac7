"""The tagging benchmark's baseline: the bare Essentia loop (MonoLoader at 16 kHz, each
backbone's TensorflowPredict* algorithm at the preset's hop, TensorflowPredict2D per head, a
mean over patches) in as many processes as the app has tag jobs, algorithms created once per
process and warmed up before the clock starts."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

from benchmarks.cpu_meter import TreeMeter

_loop: BareEssentia | None = None


def model_io(json_path: Path) -> tuple[str, str, str]:
    """Algorithm, input and output node of a model's published JSON: a backbone's embeddings
    output, a head's (only) predictions output."""
    meta = json.loads(json_path.read_text())
    outputs = meta["schema"]["outputs"]
    algorithm = meta["inference"]["algorithm"]
    if algorithm != "TensorflowPredict2D":
        outputs = [o for o in outputs if o.get("output_purpose") == "embeddings"]
    return algorithm, meta["schema"]["inputs"][0]["name"], outputs[0]["name"]


class BareEssentia:
    """MonoLoader(16 kHz) → every backbone → TensorflowPredict2D per head of that backbone."""

    def __init__(self, models_dir: Path, hops: dict[str, int]) -> None:
        import essentia
        import essentia.standard as es

        essentia.log.infoActive = False
        essentia.log.warningActive = False
        self.es = es
        self.backbones = []
        for graph in sorted((models_dir / "feature-extractors").rglob("*.pb")):
            algorithm, inp, out = model_io(graph.with_suffix(".json"))
            embed = getattr(es, algorithm)(
                graphFilename=str(graph), input=inp, output=out, patchHopSize=hops[algorithm]
            )
            heads = []
            for head in sorted((models_dir / "classification-heads").rglob(f"*{_arch(graph)}*.pb")):
                _algorithm, inp, out = model_io(head.with_suffix(".json"))
                heads.append(es.TensorflowPredict2D(graphFilename=str(head), input=inp, output=out))
            self.backbones.append((embed, heads))

    def run(self, path: Path) -> list:
        audio = self.es.MonoLoader(filename=str(path), sampleRate=16000, resampleQuality=4)()
        scores = []
        for embed, heads in self.backbones:
            embeddings = embed(audio)
            scores += [head(embeddings).mean(axis=0) for head in heads]
        return scores


def _arch(graph: Path) -> str:
    """The `<dataset>-<architecture>` part head file names share with their backbone."""
    return graph.stem.replace("-bs64", "").rsplit("-", 1)[0]


def _start(models_dir: Path, hops: dict[str, int], warmup: Path, ready) -> None:
    global _loop
    _loop = BareEssentia(models_dir, hops)
    _loop.run(warmup)
    ready.wait()


def _tag(path: Path) -> float:
    assert _loop is not None
    started = time.perf_counter()
    _loop.run(path)
    return time.perf_counter() - started


def run_bare(
    models_dir: Path, hops: dict[str, int], tracks: list[Path], warmup: Path, processes: int
) -> tuple[float, float, float, float]:
    """(wall seconds, CPU-seconds, machine busy cores, seconds per track in a process) for
    the bare loop over `tracks` in `processes` processes."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(processes + 1)
    with context.Pool(processes, _start, (models_dir, hops, warmup, ready)) as pool:
        ready.wait(timeout=600)
        meter = TreeMeter(os.getpid())
        meter.start()
        seconds = pool.map(_tag, tracks, chunksize=1)
        wall, cpu, busy = meter.stop()
    return wall, cpu, busy, sum(seconds) / len(seconds)
