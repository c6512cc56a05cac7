"""Scanning: walking library roots into Track rows, and the `scan` job kind."""
