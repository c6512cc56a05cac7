"""Essentia auto-tagging: model discovery, the inference pipeline and tag derivation."""
