"""Domain errors: what a service raises when a request cannot be carried out, in words that
know nothing of HTTP. `nomarr_site/errors.py` maps each meaning to a status code, once.

A service raises a subclass of one of the meanings below (`PathRefused` in `library/paths.py`
is `Invalid`, `OutsideRoots` is also `Forbidden`); a view lets it propagate. This module
imports nothing from Django REST framework or Django's HTTP layer, so services can use it
anywhere (a worker, a management command, the backoffice).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user can act on: `message` says what and why.

    `field` names the input that was wrong when there is one (the API lists the message under
    it); `details` holds structured context (e.g. the path that was refused).
    """

    def __init__(
        self, message: str, *, field: str | None = None, details: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = dict(details or {})


class Invalid(DomainError):
    """The input cannot be used as given: malformed, missing, of the wrong kind."""


class Forbidden(DomainError):
    """Well-formed, but not allowed here (e.g. a path outside every library root)."""


class NotFound(DomainError):
    """The thing asked for does not exist."""


class Conflict(DomainError):
    """The request clashes with the current state (a disabled library, a clashing root)."""


class Unprocessable(DomainError):
    """Understood and allowed, but the stored thing it names cannot be used (a damaged backup)."""


class Unavailable(DomainError):
    """A service the request needs is not configured or not answering (no TMDB key, TMDB down)."""
