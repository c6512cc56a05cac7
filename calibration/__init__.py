"""Calibrations built from stored raw scores, sidecar files and re-tagging without inference."""
