"""The single job queue: Job rows, the runner, kinds registry, queue API, CLI and page."""
