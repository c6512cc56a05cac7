"""Reads the `.json` metadata Essentia publishes beside each model graph (name, classes, schema
inputs/outputs with `output_purpose`, `inference.algorithm`/`sample_rate`/`embedding_model`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

# Backbones that turn 16 kHz audio into patch embeddings, and the one algorithm heads use.
EMBEDDING_ALGORITHMS = (
    "TensorflowPredictEffnetDiscogs",
    "TensorflowPredictMusiCNN",
    "TensorflowPredictVGGish",
)
HEAD_ALGORITHM = "TensorflowPredict2D"
SAMPLE_RATE = 16000

T = TypeVar("T")


class MetadataError(ValueError):
    """A metadata file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Output:
    name: str  # a graph node, `node` or `node:index`
    purpose: str  # "predictions", "embeddings" or "" when the file does not say
    size: int | None  # the last dimension of the declared shape
    op: str = ""  # the graph operation that produces it ("Softmax", "Identity", ...), if stated


@dataclass(frozen=True)
class ModelMetadata:
    path: Path
    name: str
    algorithm: str
    sample_rate: int
    input_name: str
    input_size: int | None  # last dimension of the first input
    outputs: tuple[Output, ...]
    classes: tuple[str, ...] | None  # None for regression heads, even when the file names one
    embedding_model: str | None  # heads only: the backbone's file stem
    embedding_algorithm: str | None

    @property
    def is_head(self) -> bool:
        return self.algorithm == HEAD_ALGORITHM

    def output(self, purpose: str) -> Output | None:
        for item in self.outputs:
            if item.purpose == purpose:
                return item
        return None


def _last_dimension(shape: object) -> int | None:
    if isinstance(shape, list) and shape and isinstance(shape[-1], int):
        return shape[-1]
    return None


def _require(mapping: object, key: str, kind: type[T], where: str) -> T:
    if not isinstance(mapping, dict) or key not in mapping:
        raise MetadataError(f"missing '{where}{key}'")
    value = mapping[key]
    if not isinstance(value, kind):
        raise MetadataError(f"'{where}{key}' should be a {kind.__name__}")
    return value


def _outputs(schema: dict) -> tuple[Output, ...]:
    outputs = _require(schema, "outputs", list, "schema.")
    parsed = []
    for entry in outputs:
        name = _require(entry, "name", str, "schema.outputs[].")
        purpose = entry.get("output_purpose") or ""
        op = entry.get("op") or ""
        parsed.append(Output(str(name), str(purpose), _last_dimension(entry.get("shape")), str(op)))
    if not parsed:
        raise MetadataError("'schema.outputs' is empty")
    return tuple(parsed)


def _classes(document: dict) -> tuple[str, ...] | None:
    classes = document.get("classes")
    if classes is None:
        return None
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise MetadataError("'classes' should be a list of strings")
    return tuple(classes)


def _is_regression(classes: tuple[str, ...] | None, outputs: tuple[Output, ...]) -> bool:
    """Essentia's regression heads (`approachability_regression`, `engagement_regression`, ...)
    list one "class", the quantity's name, and output it unsquashed through an `Identity` node:
    their one value is the measurement itself, not a class probability."""
    if classes is None:
        return True
    if len(classes) != 1:
        return False
    output = next((o for o in outputs if o.purpose == "predictions"), outputs[0])
    return output.op == "Identity" or output.name.rsplit("/", 1)[-1] == "Identity"


def parse(document: object, path: Path) -> ModelMetadata:
    """Turn a decoded metadata document into ModelMetadata or raise MetadataError."""
    if not isinstance(document, dict):
        raise MetadataError("the document is not a JSON object")
    inference = _require(document, "inference", dict, "")
    schema = _require(document, "schema", dict, "")
    inputs = _require(schema, "inputs", list, "schema.")
    if not inputs:
        raise MetadataError("'schema.inputs' is empty")
    input_name = _require(inputs[0], "name", str, "schema.inputs[].")
    embedding = inference.get("embedding_model")
    embedding_name = embedding_algorithm = None
    if embedding is not None:
        embedding_name = str(_require(embedding, "model_name", str, "inference.embedding_model."))
        embedding_algorithm = embedding.get("algorithm")
    sample_rate = _require(inference, "sample_rate", int, "inference.")
    outputs = _outputs(schema)
    classes = _classes(document)
    return ModelMetadata(
        path=path,
        name=str(document.get("name") or path.stem),
        algorithm=str(_require(inference, "algorithm", str, "inference.")),
        sample_rate=int(sample_rate),
        input_name=str(input_name),
        input_size=_last_dimension(inputs[0].get("shape")),
        outputs=outputs,
        classes=None if _is_regression(classes, outputs) else classes,
        embedding_model=embedding_name,
        embedding_algorithm=str(embedding_algorithm) if embedding_algorithm else None,
    )


def load(path: Path) -> ModelMetadata:
    """Read and parse one `.json` file; any problem becomes a MetadataError."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MetadataError(f"{path.name}: metadata file is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"{path.name}: not valid JSON ({exc})") from None
    try:
        return parse(document, path)
    except MetadataError as exc:
        raise MetadataError(f"{path.name}: {exc}") from None


def compatibility_problems(meta: ModelMetadata) -> list[str]:
    """Reasons this model cannot be used on its own terms (algorithm, rate, outputs, classes)."""
    problems = []
    known = (*EMBEDDING_ALGORITHMS, HEAD_ALGORITHM)
    if meta.algorithm not in known:
        problems.append(f"unknown algorithm '{meta.algorithm}' (supported: {', '.join(known)})")
        return problems
    if meta.sample_rate != SAMPLE_RATE:
        problems.append(f"expects {meta.sample_rate} Hz audio; the pipeline decodes at 16000 Hz")
    if meta.is_head:
        if not meta.embedding_model:
            problems.append("a head without 'inference.embedding_model.model_name'")
        output = meta.output("predictions") or meta.outputs[0]
        expected = len(meta.classes) if meta.classes is not None else 1
        if output.size is not None and output.size != expected:
            problems.append(
                f"declares {expected} class(es) but its output '{output.name}' "
                f"has {output.size} values"
            )
    elif meta.output("embeddings") is None:
        problems.append("no output with output_purpose 'embeddings'")
    return problems
