"""Model discovery: scans a models folder laid out as Essentia publishes it (any nesting),
groups classifier heads under their embedding model and reports unusable files as data."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from library.tagging import graphfile, metadata
from library.tagging.graphfile import GraphFileError
from library.tagging.metadata import EMBEDDING_ALGORITHMS, MetadataError, ModelMetadata
from library.tagging.version import suite_version

logger = logging.getLogger(__name__)

_checksums: dict[tuple[str, int, int], str] = {}
_graph_checks: dict[tuple[str, int, int], str | None] = {}
_checksums_lock = threading.Lock()


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read now (verification must not trust a cache)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, cached by path, size and mtime so rescans do not re-read graphs."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _checksums_lock:
        if key in _checksums:
            return _checksums[key]
    digest = sha256_of(path)
    with _checksums_lock:
        _checksums[key] = digest
    return digest


@dataclass(frozen=True)
class ModelFile:
    path: Path
    sha256: str
    size: int

    @property
    def file_name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Problem:
    path: str  # relative to the models folder
    message: str


@dataclass(frozen=True)
class Head:
    name: str  # unique in the suite; the `<ns>:<name>` tag key
    task: str  # the file name's first part, e.g. mood_happy
    file: ModelFile
    meta: ModelMetadata
    embedding: str  # the backbone's file stem

    @property
    def classes(self) -> tuple[str, ...] | None:
        return self.meta.classes

    @property
    def output_name(self) -> str:
        return (self.meta.output("predictions") or self.meta.outputs[0]).name


@dataclass(frozen=True)
class Embedding:
    name: str  # file stem, e.g. discogs-effnet-bs64-1
    file: ModelFile
    meta: ModelMetadata
    heads: tuple[Head, ...] = ()

    @property
    def output_name(self) -> str:
        output = self.meta.output("embeddings")
        assert output is not None  # discovery drops backbones without one
        return output.name

    @property
    def size(self) -> int | None:
        output = self.meta.output("embeddings")
        return output.size if output else None


@dataclass(frozen=True)
class ModelSuite:
    directory: Path
    embeddings: tuple[Embedding, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def heads(self) -> tuple[Head, ...]:
        return tuple(head for embedding in self.embeddings for head in embedding.heads)

    @property
    def version(self) -> str:
        files = [e.file for e in self.embeddings if e.heads] + [h.file for h in self.heads]
        return suite_version(f.sha256 for f in files)

    def head(self, name: str) -> Head:
        for head in self.heads:
            if head.name == name:
                return head
        raise KeyError(name)


def _graph_files(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder, name)


def _backbone_rank(name: str, meta: ModelMetadata) -> tuple[int, str]:
    algorithm = meta.algorithm
    order = EMBEDDING_ALGORITHMS.index(algorithm) if algorithm in EMBEDDING_ALGORITHMS else 99
    return order, name


def _architecture(embedding_name: str) -> str:
    parts = embedding_name.split("-")
    return parts[1] if len(parts) > 2 else embedding_name


def _graph_damage(path: Path, meta: ModelMetadata) -> str | None:
    """Why the graph at `path` cannot be used (cut off, corrupt, lacking a node its metadata
    names), or None. Cached by path, size and mtime: discovery runs often, graphs rarely
    change, and TensorFlow would otherwise fail on a damaged file only mid-job."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _checksums_lock:
        if key in _graph_checks:
            return _graph_checks[key]
    try:
        graphfile.check_graph(path, graphfile.declared_nodes(meta), path.with_suffix(".json").name)
        damage = None
    except GraphFileError as exc:
        damage = str(exc)
    with _checksums_lock:
        _graph_checks[key] = damage
    return damage


# Nomarr's own calibration sidecars lie beside a head's files, and discovery must not take them
# for Essentia metadata that lacks its graph. Their names are defined here, next to the pattern
# that recognises them, and `calibration.sidecars` writes them with `calibration_sidecar_name`:
# calibration imports library, so the one definition cannot live on that side.
CALIBRATION_SIDECAR = re.compile(r".+-calibration(?:-v[0-9]+)?\.json")


def calibration_sidecar_name(head: str, version: int | None = None) -> str:
    """`<head>-calibration.json`, the sidecar in effect; with `version`, the copy kept of that
    run, `<head>-calibration-v<N>.json`."""
    run = "" if version is None else f"-v{version}"
    return f"{head}-calibration{run}.json"


def is_calibration_sidecar(name: str) -> bool:
    return CALIBRATION_SIDECAR.fullmatch(name) is not None


def _load_models(root: Path, problems: list[Problem]) -> list[tuple[ModelFile, ModelMetadata]]:
    models = []
    for path in _graph_files(root):
        relative = str(path.relative_to(root))
        if path.suffix == ".json":
            if is_calibration_sidecar(path.name):
                continue
            if not path.with_suffix(".pb").exists():
                problems.append(Problem(relative, "metadata without its .pb graph"))
            continue
        if path.suffix != ".pb":
            continue
        try:
            meta = metadata.load(path.with_suffix(".json"))
        except MetadataError as exc:
            problems.append(Problem(relative, str(exc)))
            continue
        reasons = metadata.compatibility_problems(meta)
        if reasons:
            problems.extend(Problem(relative, reason) for reason in reasons)
            continue
        damage = _graph_damage(path, meta)
        if damage:
            problems.append(Problem(relative, damage))
            continue
        stat = path.stat()
        models.append((ModelFile(path, file_sha256(path), stat.st_size), meta))
    return models


def _attach_heads(
    backbones: dict[str, tuple[ModelFile, ModelMetadata]],
    heads: list[tuple[ModelFile, ModelMetadata]],
    root: Path,
    problems: list[Problem],
) -> dict[str, list[Head]]:
    grouped: dict[str, list[Head]] = {name: [] for name in backbones}
    usable = []
    for file, meta in heads:
        relative = str(file.path.relative_to(root))
        backbone = backbones.get(meta.embedding_model or "")
        if backbone is None:
            problems.append(
                Problem(relative, f"embedding model '{meta.embedding_model}' is missing")
            )
            continue
        size = backbone[1].output("embeddings").size  # type: ignore[union-attr]
        if meta.input_size is not None and size is not None and meta.input_size != size:
            problems.append(
                Problem(
                    relative,
                    f"expects {meta.input_size}-d embeddings, {meta.embedding_model}"
                    f" gives {size}-d",
                )
            )
            continue
        usable.append((file, meta))
    # A task present on several backbones keeps its bare name on the preferred backbone.
    usable.sort(
        key=lambda item: _backbone_rank(
            item[1].embedding_model or "", backbones[item[1].embedding_model or ""][1]
        )
    )
    taken: set[str] = set()
    for file, meta in usable:
        task = file.path.stem.split("-")[0]
        name = task if task not in taken else f"{task}_{_architecture(meta.embedding_model or '')}"
        taken.add(name)
        head = Head(name, task, file, meta, meta.embedding_model or "")
        grouped[head.embedding].append(head)
    return grouped


def discover(models_dir: str | os.PathLike) -> ModelSuite:
    """Scan `models_dir` and return the usable suite plus every problem found."""
    root = Path(models_dir)
    problems: list[Problem] = []
    if not root.is_dir():
        return ModelSuite(root, (), (Problem(str(root), "models folder does not exist"),))
    loaded = _load_models(root, problems)
    backbones = {m.path.stem: (f, m) for f, m in loaded if not m.is_head}
    heads = [(f, m) for f, m in loaded if m.is_head]
    grouped = _attach_heads(backbones, heads, root, problems)
    embeddings = tuple(
        Embedding(name, file, meta, tuple(sorted(grouped[name], key=lambda h: h.name)))
        for name, (file, meta) in sorted(
            backbones.items(), key=lambda i: _backbone_rank(i[0], i[1][1])
        )
    )
    if not any(e.heads for e in embeddings):
        problems.append(Problem(".", "no usable classifier heads"))
    for problem in problems:
        logger.debug("model problem: %s: %s", problem.path, problem.message)
    return ModelSuite(root, embeddings, tuple(problems))
