"""Queue API: web (session) and legacy (API key) endpoints."""
