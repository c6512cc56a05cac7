"""Essentia's frozen TensorFlow graphs run by OpenVINO: read the `.pb` with OpenVINO's
TensorFlow front end (no TensorFlow needed), keep the one output asked for by its tensor name,
fix the batch, and compile for the CPU at the chosen precision and thread count.

A graph OpenVINO cannot convert raises Unconvertible naming the operations it lacks, so the
caller can run that graph on Essentia's engine instead.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

PRECISIONS = ("exact", "fast")
# A graph compiled for a fixed batch gets a second copy for batches this small, for the rows
# after the last full batch: a 240-patch track then computes no padding instead of 16 rows.
# Where that copy is also faster per row on this CPU it runs every batch (small_batch_faster).
TAIL_BATCH = 8
_MISSING_OPS = re.compile(r"No conversion rule found for operations:\s*([^\n]+)")


class Unconvertible(Exception):
    """OpenVINO cannot read this graph; `ops` names the operations it has no rule for."""

    def __init__(self, graph: str, ops: tuple[str, ...], detail: str) -> None:
        self.graph, self.ops, self.detail = graph, ops, detail
        named = ", ".join(ops) if ops else detail
        super().__init__(f"{graph}: OpenVINO cannot convert it ({named})")


@cache
def availability() -> tuple[bool, str]:
    """(True, version) when OpenVINO imports, else (False, the reason). No Core is made here:
    a process that forks workers (django-q2's cluster) must not start OpenVINO's threads."""
    try:
        import openvino
    except Exception as exc:  # a missing wheel, or one built for another CPU or platform
        return False, f"OpenVINO does not import here ({type(exc).__name__}: {exc})"
    return True, str(openvino.get_version()).split("-")[0]


@cache
def _core() -> Any:
    import openvino

    return openvino.Core()


def reduced_precision() -> str:
    """The CPU's fastest reduced floating-point type (`bf16`, `f16`), or `f32` without one."""
    capabilities = set(_core().get_property("CPU", "OPTIMIZATION_CAPABILITIES"))
    if "BF16" in capabilities:
        return "bf16"
    if "FP16" in capabilities:
        return "f16"
    return "f32"


def precision_type(precision: str) -> str:
    """The OpenVINO inference type of a precision setting: `exact` is always f32."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision '{precision}' (use exact or fast)")
    return "f32" if precision == "exact" else reduced_precision()


def _missing_ops(message: str) -> tuple[str, ...]:
    found = _MISSING_OPS.search(message)
    if not found:
        return ()
    return tuple(op.strip() for op in found.group(1).split(",") if op.strip())


def convert(path: Path, input_name: str, output_name: str, batch: int | None) -> Any:
    """The graph as an OpenVINO model with one input and only `output_name` as output; `batch`
    fixes the first dimension (None keeps it dynamic). Raises Unconvertible."""
    from openvino.frontend import FrontEndManager

    front_end = FrontEndManager().load_by_framework("tf")
    try:
        graph = front_end.load(str(path))
        output = graph.get_place_by_tensor_name(output_name)
        if output is None:
            raise Unconvertible(path.name, (), f"no tensor named '{output_name}'")
        graph.override_all_outputs([output])
        model = front_end.convert(graph)
    except Unconvertible:
        raise
    except Exception as exc:
        message = str(exc)
        first = message.strip().splitlines()[-1] if message.strip() else type(exc).__name__
        raise Unconvertible(path.name, _missing_ops(message), first) from None
    if len(model.inputs) != 1:
        names = [sorted(i.get_names()) for i in model.inputs]
        raise Unconvertible(path.name, (), f"expected one input '{input_name}', found {names}")
    shape = model.inputs[0].get_partial_shape()
    if batch is not None:
        shape[0] = batch
    else:
        shape[0] = -1
    model.reshape(shape)
    return model


def batch_plan(rows: int, size: int, tail: int | None) -> list[tuple[int, int]]:
    """(first row, batch) of each batch that feeds `rows` rows: full batches of `size`, then
    the rest in batches of `tail` (without one, a last batch of `size`)."""
    plan, start = [], 0
    while start < rows and (rows - start >= size or tail is None):
        plan.append((start, size))
        start += size
    while start < rows:
        plan.append((start, tail or size))
        start += tail or size
    return plan


@dataclass
class CompiledGraph:
    """A compiled model and the batch it was compiled for (None: any batch), with a copy
    compiled for TAIL_BATCH rows (`tail`) where the batch is fixed and larger."""

    name: str
    model: Any
    batch: int | None
    tail: Any | None = None

    def __call__(self, data: np.ndarray) -> np.ndarray:
        """Outputs for every row of `data`, fed in batches; a fixed batch is filled with
        zero rows whose outputs are dropped (each row is independent of the others)."""
        size = self.batch or 64
        requests = {size: self.model.create_infer_request()}
        if self.tail is not None:
            requests[TAIL_BATCH] = self.tail.create_infer_request()
        results = []
        for start, batch in batch_plan(len(data), size, TAIL_BATCH if self.tail else None):
            chunk = np.ascontiguousarray(data[start : start + batch], dtype=np.float32)
            rows = len(chunk)
            if self.batch is not None and rows < batch:
                filler = np.zeros((batch - rows, *chunk.shape[1:]), dtype=np.float32)
                chunk = np.concatenate([chunk, filler])
            output = requests[batch].infer([chunk])[0]
            results.append(np.array(output[:rows], dtype=np.float32))
        if not results:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate(results)


def compile_model(model: Any, name: str, precision: str, threads: int) -> Any:
    """A converted model compiled for the CPU at this precision and thread count. Raises
    Unconvertible when the CPU plugin cannot compile it."""
    config = {
        "INFERENCE_PRECISION_HINT": precision_type(precision),
        "INFERENCE_NUM_THREADS": max(1, threads),
        "PERFORMANCE_HINT": "LATENCY",
        # OpenVINO pins its threads to cores by default, counting from the first core in each
        # process: two tag workers with a thread each would share one core and leave the other
        # idle (measured: 14.3 s instead of 7.9 s for the same inference in two processes).
        "ENABLE_CPU_PINNING": False,
    }
    logger.debug("compiling %s for OpenVINO: %s", name, config)
    try:
        return _core().compile_model(model, "CPU", config)
    except RuntimeError as exc:  # no CPU plugin here, or an op the plugin cannot run
        last = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        raise Unconvertible(name, (), f"compiling failed: {last}") from None


def compile_graph(
    path: Path,
    input_name: str,
    output_name: str,
    batch: int | None,
    precision: str,
    threads: int,
) -> CompiledGraph:
    """Convert and compile one graph for the CPU. Raises Unconvertible (also when the CPU
    plugin cannot compile it)."""
    model = convert(path, input_name, output_name, batch)
    name = f"{path.name} ({output_name})"
    compiled = compile_model(model, name, precision, threads)
    tail = None
    if batch is not None and batch > TAIL_BATCH:
        tail = _tail(model, name, precision, threads)
    if batch is not None and tail is not None and small_batch_faster(compiled, tail, batch):
        logger.debug(
            "%s runs in batches of %d here: faster per row than %d", name, TAIL_BATCH, batch
        )
        return CompiledGraph(path.name, tail, TAIL_BATCH)
    return CompiledGraph(path.name, compiled, batch, tail)


def _length(dimension: Any) -> int:
    """A static dimension's length (an OpenVINO Dimension, or an int)."""
    return dimension if isinstance(dimension, int) else int(dimension.get_length())


def small_batch_faster(
    large: Any, small: Any, batch: int, clock: Callable[[], float] = time.process_time
) -> bool:
    """Whether `small` (compiled for TAIL_BATCH rows) computes `batch` random rows in less CPU
    time than `large` (compiled for `batch`), the best of two runs each after a first one.
    Which is faster depends on the CPU: on an AMD Zen 4, EfficientNet took 0.71 CPU-s per track
    in batches of 8 against 0.89 in batches of 64 in f32 (its activations at 8 rows stay in the
    caches), and about the same in bf16."""
    shape = [batch, *(_length(d) for d in list(large.inputs[0].get_partial_shape())[1:])]
    rows = np.random.default_rng(0).uniform(-1, 3, shape).astype(np.float32)
    slices = [rows[start : start + TAIL_BATCH] for start in range(0, batch, TAIL_BATCH)]
    runs = {
        "large": (large.create_infer_request(), [rows]),
        "small": (small.create_infer_request(), slices),
    }
    best = {which: float("inf") for which in runs}
    for attempt in range(3):
        for which, (request, chunks) in runs.items():
            started = clock()
            for chunk in chunks:
                request.infer([chunk])
            if attempt:  # the first run allocates
                best[which] = min(best[which], clock() - started)
    return best["small"] < best["large"]


def _tail(model: Any, name: str, precision: str, threads: int) -> Any | None:
    """`model` compiled for TAIL_BATCH rows, or None where its graph fixes the batch inside
    (then the last batch is filled with zero rows, as before)."""
    copy = model.clone()
    shape = copy.inputs[0].get_partial_shape()
    shape[0] = TAIL_BATCH
    try:
        copy.reshape(shape)
        return compile_model(copy, f"{name} for {TAIL_BATCH} rows", precision, threads)
    except (RuntimeError, Unconvertible) as exc:
        logger.debug("%s keeps one batch size: %s", name, exc)
        return None


Compiler = Callable[[Path, str, str, int | None, str, int], CompiledGraph]
