"""Backoffice registrations for `media_meta`."""
