"""Management commands of `jobs` (the `nom` CLI for the queue)."""
