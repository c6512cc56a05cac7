"""The tagging pipeline: decode a file once, compute each needed backbone embedding once (on the
chosen inference engine), feed every head of that backbone, and return pooled raw scores (mean
and spread per class) and each backbone's pooled embedding."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from library.tagging import steps
from library.tagging.cache import AlgorithmCache, default_cache
from library.tagging.engines import EngineSettings, make_engine
from library.tagging.metadata import SAMPLE_RATE
from library.tagging.model_suite import ModelSuite
from library.tagging.version import PIPELINE_VERSION

logger = logging.getLogger(__name__)


class NoModelsError(Exception):
    """The suite has no usable head (or none of the requested ones)."""


@dataclass(frozen=True)
class HeadResult:
    head: str  # the suite-unique head name, e.g. mood_happy
    task: str
    model_file: str
    model_sha256: str
    embedding_model: str
    embedding_sha256: str
    classes: tuple[str, ...] | None  # None: a regression head with one value
    mean: tuple[float, ...]
    std: tuple[float, ...]
    patches: int

    def score(self, label: str) -> float:
        """The pooled mean of one class, looked up by name (never by position)."""
        if self.classes is None:
            raise KeyError(f"{self.head} is a regression head without classes")
        return self.mean[self.classes.index(label)]


@dataclass(frozen=True)
class PooledEmbedding:
    """One backbone's embedding of a track: the mean over its patches, float32."""

    backbone: str  # the embedding model's file stem, e.g. discogs-effnet-bs64-1
    model_sha256: str
    vector: np.ndarray
    patches: int


@dataclass(frozen=True)
class TrackAnalysis:
    path: str
    pipeline_version: str
    suite_version: str
    duration_seconds: float  # audio analysed, before any padding of very short clips
    sample_rate: int
    hops: dict[str, int]
    heads: tuple[HeadResult, ...] = field(default=())
    embeddings: tuple[PooledEmbedding, ...] = field(default=())
    engine: str = "essentia"

    def head(self, name: str) -> HeadResult:
        for result in self.heads:
            if result.head == name:
                return result
        raise KeyError(name)


@dataclass(frozen=True)
class PipelineOptions:
    hops: Mapping[str, int] = field(default_factory=lambda: dict(steps.REFERENCE_HOPS))
    heads: frozenset[str] | None = None  # restrict to these head names; None runs every head
    engine: EngineSettings = field(default_factory=EngineSettings)

    @classmethod
    def preset(
        cls, name: str, heads: Iterable[str] | None = None, engine: EngineSettings | None = None
    ) -> PipelineOptions:
        """`reference` (Essentia's hops) or `fast` (sparser hops); KeyError for anything else."""
        chosen = frozenset(heads) if heads else None
        return cls(dict(steps.HOP_PRESETS[name]), chosen, engine or EngineSettings())


class TaggingPipeline:
    """Runs a discovered suite over files; keep one per worker (the cache holds the graphs)."""

    def __init__(
        self,
        suite: ModelSuite,
        options: PipelineOptions | None = None,
        cache: AlgorithmCache | None = None,
    ) -> None:
        self.suite = suite
        self.options = options or PipelineOptions()
        self.cache = cache if cache is not None else default_cache
        self.engine = make_engine(self.options.engine, self.cache)
        self.plan = [
            (embedding, heads)
            for embedding in suite.embeddings
            if (heads := [h for h in embedding.heads if self._wanted(h.name)])
        ]
        if not self.plan:
            raise NoModelsError(f"No usable classifier heads in {suite.directory}")

    def _wanted(self, name: str) -> bool:
        return self.options.heads is None or name in self.options.heads

    def run(self, path: str, announced_seconds: float | None = None) -> TrackAnalysis:
        """Analyse one file. `announced_seconds`, the exact duration its header states, lets the
        decode refuse a truncated file (see steps.decode). Raises steps.DecodeError (its
        subclass AudioCutShort for a truncated file) or steps.InferenceError."""
        audio = steps.decode(path, announced_seconds)
        duration = audio.size / SAMPLE_RATE
        audio = steps.pad_to_patch(audio, [embedding.meta.algorithm for embedding, _ in self.plan])
        track = self.engine.features(audio)
        results, pooled = [], []
        for embedding, heads in self.plan:
            embeddings = self.engine.embed(track, embedding, self.options.hops)
            pooled.append(
                PooledEmbedding(
                    embedding.name,
                    embedding.file.sha256,
                    embeddings.mean(axis=0, dtype=np.float64).astype(np.float32),
                    int(embeddings.shape[0]),
                )
            )
            for head in heads:
                mean, std = steps.pool(self.engine.predict(embeddings, head))
                results.append(
                    HeadResult(
                        head=head.name,
                        task=head.task,
                        model_file=head.file.file_name,
                        model_sha256=head.file.sha256,
                        embedding_model=embedding.name,
                        embedding_sha256=embedding.file.sha256,
                        classes=head.classes,
                        mean=mean,
                        std=std,
                        patches=int(embeddings.shape[0]),
                    )
                )
        logger.debug("analysed %s: %d heads, %.1f s", path, len(results), duration)
        return TrackAnalysis(
            path=str(path),
            pipeline_version=PIPELINE_VERSION,
            suite_version=self.suite.version,
            duration_seconds=round(duration, 3),
            sample_rate=SAMPLE_RATE,
            hops={e.meta.algorithm: int(self.options.hops[e.meta.algorithm]) for e, _ in self.plan},
            heads=tuple(results),
            embeddings=tuple(pooled),
            engine=self.engine.label,
        )
