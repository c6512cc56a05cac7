"""The library HTTP API: libraries, their statistics, scans and tracks (web and legacy)."""
