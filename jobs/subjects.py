"""Job subjects: what a job is about, named without the queue knowing the app that owns it.

A subject is a registered key and an id, written `<key>:<id>` (`library.track:42`). An app
registers its keys with the model they name (`register_subject("library.track",
"library.Track")`) when it registers its job kinds; the queue stores, filters and shows
subjects, and only the owning app gives them meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.db import models

SUBJECT_KEY = re.compile(r"^[a-z][a-z0-9_]{0,30}\.[a-z][a-z0-9_]{0,30}$")
MAX_SUBJECT_ID = 2**63 - 1

_MODELS: dict[str, str] = {}  # subject key -> model label ("library.Track")


@dataclass(frozen=True)
class Subject:
    type: str
    id: int

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Subject:
        """`<key>:<id>` with a registered key and a positive id; ValueError says what is wrong."""
        key, sep, number = (text or "").partition(":")
        if not sep or not number.isascii() or not number.isdigit():
            raise ValueError("a subject is written <type>:<id>, e.g. library.track:42")
        if key not in _MODELS:
            known = ", ".join(sorted(_MODELS)) or "none"
            raise ValueError(f"unknown subject type {key[:40]!r} (known: {known})")
        pk = int(number)
        if not 0 < pk <= MAX_SUBJECT_ID:
            raise ValueError(f"a subject id must be between 1 and {MAX_SUBJECT_ID}")
        return cls(key, pk)

    @classmethod
    def of(cls, instance: models.Model) -> Subject:
        """The subject naming this model instance (its model must be registered)."""
        label = instance._meta.label
        for key, model in _MODELS.items():
            if model == label:
                return cls(key, int(instance.pk))
        raise LookupError(f"{label} is not a registered job subject")


def register_subject(key: str, model: str) -> None:
    """Register `key` (`<app>.<name>`) as naming rows of `model` (an `app.Model` label)."""
    if not SUBJECT_KEY.match(key):
        raise ValueError(f"subject key must match {SUBJECT_KEY.pattern}, got {key!r}")
    existing = _MODELS.get(key)
    if existing is not None and existing != model:
        raise ValueError(f"subject {key!r} is already registered for {existing}")
    _MODELS[key] = model


def subject_types() -> dict[str, str]:
    return dict(_MODELS)


def resolve(subject: Subject) -> models.Model | None:
    """The row a subject names, or None when it is gone (or its app is)."""
    label = _MODELS.get(subject.type)
    if label is None:
        return None
    model = apps.get_model(label)
    row: models.Model | None = model._default_manager.filter(pk=subject.id).first()
    return row
