"""Backoffice registrations for `calibration`."""
