"""The import endpoints: AltMount's `POST /api/import/file` and the history's web API."""
