"""HTTP API of `calibration`."""
