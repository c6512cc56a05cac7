"""Events: one typed envelope, one sender. See `envelope.py` for the types.

    emit("queue", "queue.job", {...})

`emit` is the only way any code publishes an event (`aemit` from async code). It is safe to
call from web requests, management commands and worker processes, inside or outside a
transaction; `sender.py` says how events cross processes.
"""

from nomarr_site.events.sender import aemit, emit

__all__ = ["aemit", "emit"]
