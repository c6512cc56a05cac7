"""File and NZB imports (AltMount's import queue): `POST /api/import/file`, the `import` job
kind, the SABnzbd and NZBGet clients and the import history."""
