"""Running an async test scenario from a synchronous test, with bounds that turn a hang into a
failure instead of a stuck test run.

`asgiref.async_to_sync` runs its loop in a pool thread that the interpreter joins at exit, and
cancels leftover tasks without a time limit: one task that ignores cancellation (a channel-layer
read on a connection of an earlier loop, say) then holds the whole pytest process forever. Here
each scenario gets its own event loop in a daemon thread, its own channel-layer instance (the
layer keeps per-loop state, so one shared across loops is not safe), and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

SCENARIO_LIMIT = 60.0  # seconds for the scenario itself
CLEANUP_LIMIT = 10.0  # seconds for cancelled leftovers, the relay and the layer to wind down


class ScenarioHung(AssertionError):
    pass


def run_scenario(scenario: Callable[[], Awaitable[object]], limit: float = SCENARIO_LIMIT):
    """Run `scenario()` to completion in a fresh loop and return its result (or raise its
    exception). Fails with ScenarioHung when it, or its clean-up, outlasts its bound."""
    from channels.layers import channel_layers

    outcome: dict[str, object] = {}

    async def body():
        from nomarr_site.events.relay import relay

        try:
            return await asyncio.wait_for(scenario(), timeout=limit)
        finally:
            await asyncio.wait_for(relay.stop(), timeout=CLEANUP_LIMIT)

    def thread_main() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            outcome["result"] = loop.run_until_complete(body())
        except BaseException as exc:  # handed to the test's thread below
            outcome["error"] = exc
        finally:
            try:
                _wind_down(loop)
            finally:
                loop.close()

    channel_layers.backends.clear()
    thread = threading.Thread(target=thread_main, name="test-scenario", daemon=True)
    thread.start()
    thread.join(limit + 3 * CLEANUP_LIMIT)
    channel_layers.backends.clear()
    _close_connections_of_the_sync_thread()
    if thread.is_alive():
        raise ScenarioHung(f"the scenario did not finish within {limit + 3 * CLEANUP_LIMIT:.0f} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("result")


def _wind_down(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what the scenario left running (consumers, layer reads) and close the layer's
    connections, each wait bounded."""
    from channels.layers import channel_layers

    leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in leftovers:
        task.cancel()
    if leftovers:
        loop.run_until_complete(asyncio.wait(leftovers, timeout=CLEANUP_LIMIT))
    for layer in list(channel_layers.backends.values()):
        close = getattr(layer, "close_pools", None)
        if close is not None:
            try:
                loop.run_until_complete(asyncio.wait_for(close(), timeout=CLEANUP_LIMIT))
            except Exception as exc:  # a layer that cannot close cleanly goes with the loop
                logger.warning("Channel layer did not close cleanly: %r", exc)
    loop.run_until_complete(loop.shutdown_asyncgens())


def _close_connections_of_the_sync_thread() -> None:
    """Thread-sensitive sync_to_async calls made outside async_to_sync run in asgiref's one
    long-lived thread; close its database connections so none outlives the test (PostgreSQL
    refuses to drop a test database that a connection still uses)."""
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=CLEANUP_LIMIT)
