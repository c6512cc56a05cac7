"""Job queue services: enqueueing, claiming, queue control and worker state."""
