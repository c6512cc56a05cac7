"""Logging filters that `settings.LOGGING` puts on third parties' loggers, where their level or
shape does not fit what happened."""

from __future__ import annotations

import logging


class OneLineWarning(logging.Filter):
    """Logs the record as one WARNING line, without its traceback. Django logs a refused
    `Host` header (`django.security.DisallowedHost`) at ERROR with the traceback of its own
    check: the client's mistake, which scanners repeat all day, buried the real errors.
    The configured level still applies to the lowered record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = record.stack_info = None
        return logging.getLogger(record.name).isEnabledFor(logging.WARNING)
