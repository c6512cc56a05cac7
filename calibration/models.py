"""Models of `calibration`."""
