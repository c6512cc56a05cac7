"""Tells a cluster's worker processes that the cluster is stopping, so they finish the job they
run and claim no other (a token keeps claiming for up to a minute otherwise).

`nom qcluster` creates the flag before django-q2 forks its processes, which share it. It is a
lock-free shared byte: a process killed while reading it cannot block the others.
"""

from __future__ import annotations

from multiprocessing.sharedctypes import RawValue
from typing import Any

_flag: Any = None


def prepare() -> None:
    """In the cluster's main process, before the cluster starts."""
    global _flag
    _flag = RawValue("b", 0)


def announce() -> None:
    """The cluster stops: its workers claim no new job."""
    if _flag is not None:
        _flag.value = 1


def requested() -> bool:
    return _flag is not None and bool(_flag.value)


def reset() -> None:
    """Forget the flag (tests)."""
    global _flag
    _flag = None
