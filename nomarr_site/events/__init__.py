"""Events: one typed envelope, one sender. `sender.py` lists the events, `envelope.py` their
data types and the rule that names them on each transport.

    QUEUE_STATUS.send({"pending": 1, "running": 0, ...})

An event's `send` is how code publishes it; mypy checks the data against the event's
`TypedDict` (`emit`/`aemit` are the untyped steps beneath it). It is safe to call from web requests,
management commands and worker processes, inside or outside a transaction; `sender.py` says how
events cross processes.
"""

from nomarr_site.events.sender import aemit, emit

__all__ = ["aemit", "emit"]
