"""MusiCNN's timbral front end computed once per mel frame instead of once per patch.

MusiCNN patches (187 frames) overlap by half at the reference hop, and most of the network's
arithmetic (the two 7-frame timbral convolutions, ~95 %) is local in time: each output frame
depends only on the 7 input frames around it. So the front end is run over the track in a few
long chunks, each patch takes its frames from there, and only the frames next to a patch's edges,
which see the patch's zero padding instead of their neighbours, are recomputed on short edge
windows cut from the patch itself. The rest of the network runs per patch as before. Same
arithmetic, same graph weights: results agree with the whole graph to float rounding, and a
self-check on random frames compares them before the split is ever used.

Where the graph is cut, and the parts cut from it, come from musicnn_cuts.py; a graph of another
shape raises NotSplittable and runs whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from library.tagging import conv_taps
from library.tagging.features import cut_patches
from library.tagging.musicnn_cuts import (
    Cut,
    NotSplittable,
    back_model,
    find_cuts,
    front_model,
    one_sided,
    static_dims,
)
from library.tagging.openvino_models import (
    TAIL_BATCH,
    CompiledGraph,
    batch_plan,
    compile_model,
    convert,
)

logger = logging.getLogger(__name__)

FRONT_FORMS = ("published", "taps")  # see _fastest
CHUNK_FRAMES = 1024  # frames per front-end chunk: ~75 MB of activations at MusiCNN's size


@dataclass
class FramewiseGraph:
    """MusiCNN compiled in parts, each for fixed shapes (OpenVINO's fastest kernels): the front
    end for a chunk of the track and for a batch of edge windows, the rest for a batch of
    patches; the whole graph for tracks shorter than a chunk."""

    name: str
    cuts: list[Cut]
    frames: int  # patch length
    chunk: Any  # front end for [1, chunk_frames, bands], one output per cut
    # Front end for the edge windows, by (side, patches per batch b): `lead` and `trail`
    # [b, edge_frames, bands], padded on one side (one_sided), or `both` [2 x b, ...].
    edges: dict[tuple[str, int], Any]
    back: dict[int, Any]  # by b: the rest for [b, ...]: the patches, then one input per cut
    whole: CompiledGraph
    batch: int
    chunk_frames: int
    form: str = "published"  # the front end's convolutions as published, or `taps` (conv_taps)
    back_form: str = "published"  # the same for the rest of the graph

    @property
    def edge_frames(self) -> int:
        return max(cut.before + cut.after for cut in self.cuts)

    def _plan(self, patches: int) -> list[tuple[int, int]]:
        """Full batches, then batches of the small size compiled for the rest (if any)."""
        tail = min(self.back) if len(self.back) > 1 else None
        return batch_plan(patches, self.batch, tail)

    def __call__(self, frames: np.ndarray, hop: int) -> np.ndarray:
        """The graph's output for every patch `cut_patches(frames, self.frames, hop)` makes."""
        size = self.frames
        count = 0 if len(frames) < size else 1 + (len(frames) - size) // hop
        if count == 0:
            return np.zeros((0, 0), dtype=np.float32)
        used = np.ascontiguousarray(frames[: (count - 1) * hop + size], dtype=np.float32)
        windows = np.lib.stride_tricks.sliding_window_view(used, size, axis=0)[::hop][:count]
        patches = np.ascontiguousarray(windows.transpose(0, 2, 1))
        if len(used) < self.chunk_frames:
            return self.whole(patches)
        branches = []
        for whole in self._over_track(used):
            per_patch = np.lib.stride_tricks.sliding_window_view(whole, size, axis=0)[::hop]
            branches.append(np.array(per_patch[:count].transpose(0, 2, 1), order="C"))
        self._fix_edges(branches, patches)
        return self._back(patches, branches)

    def _run_front(self, request: Any, data: np.ndarray) -> list[np.ndarray]:
        """Front-end outputs for `data` [batch, length, bands], time second: [batch, length, C]."""
        results = request.infer([data])
        return [
            np.moveaxis(np.asarray(results[i]), cut.time_axis, 1) for i, cut in enumerate(self.cuts)
        ]

    def _over_track(self, used: np.ndarray) -> list[np.ndarray]:
        """Each cut's output for every frame [frames, C], as a patch's interior sees it: chunks
        overlapping by the padding, each keeping the frames its padding does not reach (the
        last chunk ends at the track's end, overlapping its neighbour further)."""
        length, size = len(used), self.chunk_frames
        margin = max(max(c.before, c.after) for c in self.cuts)
        starts = list(range(0, length - size + 1, size - 2 * margin))
        if starts[-1] + size < length:
            starts.append(length - size)
        request = self.chunk.create_infer_request()
        wholes: list[np.ndarray] = []
        for start in starts:
            stop = start + size
            outputs = self._run_front(request, used[None, start:stop])
            keep_from = start + (margin if start else 0)
            keep_to = stop - (margin if stop < length else 0)
            if not wholes:
                wholes = [np.empty((length, *o.shape[2:]), dtype=np.float32) for o in outputs]
            for whole, output in zip(wholes, outputs, strict=True):
                whole[keep_from:keep_to] = output[0, keep_from - start : keep_to - start]
        return wholes

    def _fix_edges(self, branches: list[np.ndarray], patches: np.ndarray) -> None:
        """Recompute the frames next to each patch's edges, which see its zero padding: the
        front end on each patch's first and last `edge_frames` frames (padded like the patch)."""
        edge, size = self.edge_frames, self.frames
        requests = {key: compiled.create_infer_request() for key, compiled in self.edges.items()}
        for start, batch in self._plan(len(patches)):
            first = _filled(patches[start : start + batch, :edge], batch)
            last = _filled(patches[start : start + batch, size - edge :], batch)
            rows = min(batch, len(patches) - start)
            if ("both", batch) in requests:
                both = self._run_front(requests["both", batch], np.concatenate([first, last]))
                leads, trails = [o[:batch] for o in both], [o[batch:] for o in both]
            else:
                leads = self._run_front(requests["lead", batch], first)
                trails = self._run_front(requests["trail", batch], last)
            for branch, cut, lead, trail in zip(branches, self.cuts, leads, trails, strict=True):
                part = branch[start : start + rows]
                if cut.before:
                    part[:, : cut.before] = lead[:rows, : cut.before]
                if cut.after:
                    part[:, size - cut.after :] = trail[:rows, trail.shape[1] - cut.after :]

    def _back(self, patches: np.ndarray, branches: list[np.ndarray]) -> np.ndarray:
        requests = {batch: compiled.create_infer_request() for batch, compiled in self.back.items()}
        results = []
        for start, batch in self._plan(len(patches)):
            rows = min(batch, len(patches) - start)
            inputs = [_filled(patches[start : start + rows], batch)]
            for branch, cut in zip(branches, self.cuts, strict=True):
                part = np.moveaxis(branch[start : start + rows], 1, cut.time_axis)
                inputs.append(_filled(part, batch))
            results.append(np.array(requests[batch].infer(inputs)[0][:rows], dtype=np.float32))
        return np.concatenate(results)


def _filled(rows: np.ndarray, batch: int) -> np.ndarray:
    """`rows` as a contiguous batch of `batch`, zero rows added (their outputs are dropped)."""
    if len(rows) == batch:
        return np.ascontiguousarray(rows, dtype=np.float32)
    filled = np.zeros((batch, *rows.shape[1:]), dtype=np.float32)
    filled[: len(rows)] = rows
    return filled


def _fixed(model: Any, shapes: list[list[int]] | list[list[int | None]]) -> Any:
    """`model` with its inputs fixed to these shapes, in order."""
    model.reshape({port: shape for port, shape in zip(model.inputs, shapes, strict=True)})
    return model


def build(
    path: Path,
    input_name: str,
    output_name: str,
    precision: str,
    threads: int,
    frames: int,
    tolerance: float,
    batch: int = 64,
    chunk_frames: int = CHUNK_FRAMES,
    forms: tuple[str, ...] = FRONT_FORMS,
) -> FramewiseGraph:
    """Convert, split and compile a MusiCNN-shaped graph, then check the split against the
    whole graph (see _self_check). The front end runs in the fastest of `forms` here. Raises
    NotSplittable (also when the check fails) or Unconvertible."""
    model = convert(path, input_name, output_name, None)
    cuts = find_cuts(model, frames)
    bands = static_dims(model.inputs[0])[2]
    edge = max(cut.before + cut.after for cut in cuts)
    if bands is None or chunk_frames <= 2 * max(max(c.before, c.after) for c in cuts) + frames:
        raise NotSplittable("chunks too short for the padding")
    back_dims = [static_dims(port)[1:] for port in back_model(model, cuts).inputs]
    if any(None in dims for dims in back_dims):
        raise NotSplittable("the rest of the graph has inputs of unknown size")
    sizes = [batch, TAIL_BATCH] if batch > TAIL_BATCH else [batch]

    def compiled(part: Any, what: str) -> Any:
        return compile_model(part, f"{path.name} ({what})", precision, threads)

    front: dict[str | tuple[str, int], Any] = {
        "chunk": _fixed(front_model(model, cuts), [[1, chunk_frames, bands]])
    }
    for size in sizes:
        lead = one_sided(_fixed(front_model(model, cuts), [[size, edge, bands]]), "lead")
        trail = one_sided(_fixed(front_model(model, cuts), [[size, edge, bands]]), "trail")
        if lead is not None and trail is not None:
            front["lead", size], front["trail", size] = lead, trail
        else:
            front["both", size] = _fixed(front_model(model, cuts), [[2 * size, edge, bands]])
    fronts, form = _fastest(front, "chunk", compiled, forms)
    back: dict[str | tuple[str, int], Any] = {
        ("back", size): _fixed(back_model(model, cuts), [[size, *dims] for dims in back_dims])
        for size in sizes
    }
    backs, back_form = _fastest(back, ("back", batch), compiled, forms)
    graph = FramewiseGraph(
        path.name,
        cuts,
        frames,
        fronts.pop("chunk"),
        {key: part for key, part in fronts.items() if isinstance(key, tuple)},
        {size: part for (_, size), part in backs.items()},
        CompiledGraph(path.name, compiled(model, "whole"), None),
        batch,
        chunk_frames,
        form,
        back_form,
    )
    logger.debug("%s: front end %s, back end %s here", path.name, form, back_form)
    _self_check(graph, tolerance)
    return graph


def _fastest(
    parts: dict[Any, Any],
    timed: Any,
    compiled: Callable[[Any, str], Any],
    forms: tuple[str, ...],
) -> tuple[dict[Any, Any], str]:
    """`parts` (one part of the graph with its inputs fixed for each use) compiled in whichever
    of `forms` runs `parts[timed]` faster on this CPU (timed here on random inputs):
    `published` (the graph's own convolutions) or `taps` (single-channel convolutions with their
    rows as input channels, see conv_taps.py); and the form's name."""
    candidates = {"published": parts}
    if "taps" in forms:
        rewritten = {key: conv_taps.taps_as_channels(part) for key, part in parts.items()}
        if all(part is not None for part in rewritten.values()):
            candidates["taps"] = rewritten
    names = [name for name in forms if name in candidates]
    if not names:
        raise NotSplittable(f"no form among {forms} for this part of the graph")
    built = {
        name: {
            key: compiled(part, f"{_label(key)}, {name}") for key, part in candidates[name].items()
        }
        for name in names
    }
    if len(names) == 1:
        return built[names[0]], names[0]
    rng = np.random.default_rng(0)
    sample = [
        rng.uniform(-2.0, 4.0, [d.get_length() for d in port.get_partial_shape()]).astype(
            np.float32
        )
        for port in parts[timed].inputs
    ]
    winner = names[conv_taps.faster([built[name][timed] for name in names], sample)]
    return built[winner], winner


def _label(key: Any) -> str:
    """A part's key as a log names it: `chunk`, `lead edges for 64 patches`, ..."""
    if isinstance(key, str):
        return key
    kind, size = key
    return f"{'the rest' if kind == 'back' else kind + ' edges'} for {size} patches"


def _self_check(graph: FramewiseGraph, tolerance: float) -> None:
    """Random frames a little longer than a chunk (so a seam is crossed), at two hops, through
    the split and through the whole graph: the largest difference may be `tolerance` of the
    outputs' scale (1 + their largest magnitude), which float rounding stays far below and a
    wrong cut does not."""
    rng = np.random.default_rng(0)
    length = graph.chunk_frames + graph.frames
    bands = graph.chunk.inputs[0].get_partial_shape()[2].get_length()
    mel = rng.uniform(-2.0, 4.0, (length, bands)).astype(np.float32)
    for hop in (graph.frames // 2, graph.frames):
        got = graph(mel, hop)
        expected = graph.whole(cut_patches(mel, graph.frames, hop))
        if got.shape != expected.shape:
            raise NotSplittable(f"the split gives {got.shape}, the whole graph {expected.shape}")
        error = float(np.abs(got - expected).max()) / (1.0 + float(np.abs(expected).max()))
        if error > tolerance:
            raise NotSplittable(f"the split disagrees with the whole graph (by {error:.2g})")
