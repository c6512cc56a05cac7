"""The two ways a download ends early: an error the user can read (and the job runner may
retry), or a stop asked for by the caller, which keeps the partial file for a resume."""

from __future__ import annotations


class DownloadError(Exception):
    """A download that did not complete. `message` is a sentence for the user; `retryable`
    says whether trying again later may succeed (a 503, a dropped connection) or not (a 404, a
    checksum mismatch, a full disk). `retry_after` is the server's Retry-After in seconds,
    when it sent one."""

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class DownloadStopped(Exception):  # noqa: N818 - a stop asked for, not an error
    """`should_stop()` said so; the partial file (and what it needs to resume) is kept."""
