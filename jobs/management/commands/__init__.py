"""`nom list`, `nom remove`, `nom admin-reset`, `nom cleanup`, `nom worker`."""
