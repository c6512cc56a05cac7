"""Inference engines for the tagging pipeline: Essentia's own (the reference, always there) and
OpenVINO, which runs the same frozen graphs on the same mel patches about twice as fast (f32).

The OpenVINO engine computes the mel frames once per track (features.py) and cuts each
backbone's patches as Essentia does; backbones with other features (VGGish) and any graph that
OpenVINO cannot convert run on Essentia's engine, the latter with one warning naming the op.
Compiled graphs live in the worker's AlgorithmCache, keyed by the file's checksum, precision
and threads, so a changed file is compiled afresh and `clear()` drops them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from library.tagging import fast_mel, framewise, steps
from library.tagging.cache import AlgorithmCache
from library.tagging.features import (
    BATCH,
    EFFNET,
    MEL_ALGORITHMS,
    MUSICNN,
    PATCH_FRAMES,
    TrackFeatures,
)
from library.tagging.model_suite import Embedding, Head, ModelFile
from library.tagging.openvino_models import CompiledGraph, Compiler, Unconvertible, compile_graph

logger = logging.getLogger(__name__)

ENGINES = ("openvino", "essentia")
# `fast` (bf16 where the CPU has it) keeps every pooled score and spread within this distance
# of `exact`'s, absolute and relative to the value (a regression head's value is unbounded):
# |fast - exact| <= FAST_TOLERANCE * (1 + |exact|). bf16 keeps 8 bits of mantissa (~0.4 %).
FAST_TOLERANCE = 0.02
# How far MusiCNN's per-frame split may stray from the whole graph in its start-up check
# (float rounding in f32; the split does the same arithmetic in another order).
SPLIT_TOLERANCE = {"exact": 1e-5, "fast": FAST_TOLERANCE}


@dataclass(frozen=True)
class EngineSettings:
    """The engine a pipeline runs: `essentia`, or `openvino` at `exact` (f32) or `fast`
    precision with `threads` per inference."""

    name: str = "essentia"
    precision: str = "exact"
    threads: int = 1

    @property
    def label(self) -> str:
        return self.name if self.name == "essentia" else f"{self.name} {self.precision}"


class EssentiaEngine:
    """Essentia's TensorflowPredict* algorithms, cached per worker."""

    label = "essentia"

    def __init__(self, cache: AlgorithmCache) -> None:
        self.cache = cache

    def features(self, audio: np.ndarray) -> TrackFeatures:
        """The track as this engine's backbones read it."""
        return TrackFeatures(audio)

    def embed(
        self, track: TrackFeatures, embedding: Embedding, hops: Mapping[str, int]
    ) -> np.ndarray:
        return steps.embed(track.audio, embedding, hops, self.cache)

    def predict(self, embeddings: np.ndarray, head: Head) -> np.ndarray:
        return steps.predict(embeddings, head, self.cache)


class OpenVinoEngine(EssentiaEngine):
    """OpenVINO for EfficientNet, MusiCNN and the heads; Essentia for the rest."""

    def __init__(
        self, cache: AlgorithmCache, settings: EngineSettings, compiler: Compiler = compile_graph
    ) -> None:
        super().__init__(cache)
        self.settings = settings
        self.compiler = compiler
        self.label = settings.label

    def _graph(
        self, file: ModelFile, input_name: str, output: str, batch: int | None
    ) -> CompiledGraph | Unconvertible:
        """The compiled graph, or the Unconvertible error remembered for this file."""
        settings = self.settings
        key = (file.sha256, str(file.path), input_name, output, batch, settings.precision)

        def create() -> CompiledGraph | Unconvertible:
            try:
                return self.compiler(
                    file.path,
                    input_name,
                    output,
                    batch,
                    self.settings.precision,
                    self.settings.threads,
                )
            except Unconvertible as exc:
                what = ", ".join(exc.ops) if exc.ops else exc.detail
                logger.warning(
                    "%s runs on Essentia's engine: OpenVINO cannot convert it (%s)",
                    file.file_name,
                    f"unsupported op {what}" if exc.ops else what,
                )
                return exc

        graph: CompiledGraph | Unconvertible = self.cache.build(
            ("openvino", *key, settings.threads), create
        )
        return graph

    def features(self, audio: np.ndarray) -> TrackFeatures:
        """Mel frames from NumPy in one pass (fast_mel.py) where they agree with Essentia's in
        this process within the precision's bound, else Essentia's own."""
        if fast_mel.agrees_with_essentia(self.settings.precision):
            return TrackFeatures(audio, fast_mel.vectorised_mel_frames)
        return TrackFeatures(audio)

    def _framewise(self, embedding: Embedding) -> framewise.FramewiseGraph | None:
        """MusiCNN split so its front end runs once per frame, or None (then it runs whole)."""
        file, settings = embedding.file, self.settings
        key = ("openvino-framewise", file.sha256, str(file.path), embedding.output_name)

        def create() -> framewise.FramewiseGraph | None:
            try:
                return framewise.build(
                    file.path,
                    embedding.meta.input_name,
                    embedding.output_name,
                    settings.precision,
                    settings.threads,
                    PATCH_FRAMES[MUSICNN],
                    SPLIT_TOLERANCE[settings.precision],
                )
            except framewise.NotSplittable as exc:
                logger.warning("%s runs patch by patch: %s", file.file_name, exc)
            except Unconvertible:
                pass  # the whole graph's compilation says why, once
            return None

        built: framewise.FramewiseGraph | None = self.cache.build(
            (*key, settings.precision, settings.threads), create
        )
        return built

    def embed(
        self, track: TrackFeatures, embedding: Embedding, hops: Mapping[str, int]
    ) -> np.ndarray:
        algorithm = embedding.meta.algorithm
        if algorithm not in MEL_ALGORITHMS:
            return super().embed(track, embedding, hops)
        hop = int(hops.get(algorithm, steps.REFERENCE_HOPS[algorithm]))
        split = self._framewise(embedding) if algorithm == MUSICNN else None
        if split is not None:
            result = self._run(split, track.frames, embedding.file.file_name, hop)
        else:
            batch = BATCH[EFFNET] if algorithm == EFFNET else None
            name, output = embedding.meta.input_name, embedding.output_name
            graph = self._graph(embedding.file, name, output, batch)
            if isinstance(graph, Unconvertible):
                return super().embed(track, embedding, hops)
            patches, padding = track.patches(algorithm, hop)
            # Essentia computes the padding rows and drops their outputs; every row is
            # independent of the others, so they need not be computed at all.
            result = self._run(graph, patches[: len(patches) - padding], embedding.file.file_name)
        if result.ndim != 2 or result.shape[0] == 0:
            raise steps.InferenceError(f"{embedding.file.file_name}: produced no patch embeddings")
        return result

    def predict(self, embeddings: np.ndarray, head: Head) -> np.ndarray:
        graph = self._graph(head.file, head.meta.input_name, head.output_name, None)
        if isinstance(graph, Unconvertible):
            return super().predict(embeddings, head)
        result = self._run(graph, embeddings, head.file.file_name)
        expected = len(head.classes) if head.classes is not None else 1
        if result.ndim != 2 or result.shape[1] != expected:
            raise steps.InferenceError(
                f"{head.file.file_name}: produced shape {result.shape}, "
                f"expected [patches, {expected}]"
            )
        return result

    @staticmethod
    def _run(
        graph: CompiledGraph | framewise.FramewiseGraph, data: np.ndarray, name: str, *args: int
    ) -> np.ndarray:
        try:
            return graph(data, *args)
        except RuntimeError as exc:
            raise steps.InferenceError(f"{name}: {str(exc).strip()}") from None


def make_engine(settings: EngineSettings, cache: AlgorithmCache) -> EssentiaEngine:
    """The engine these settings name (the caller has already checked OpenVINO is usable)."""
    if settings.name == "openvino":
        return OpenVinoEngine(cache, settings)
    return EssentiaEngine(cache)
