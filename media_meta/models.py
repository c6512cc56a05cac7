"""Models of `media_meta`."""
