"""Pages of `calibration`."""

from nomarr_site.pages import placeholder

calibration_page = placeholder(
    "calibration",
    "Calibration",
    "Calibrations built from the library's stored scores, and re-tagging with them.",
)
analytics_page = placeholder(
    "analytics",
    "Analytics",
    "Tag frequencies, mood distribution and correlations across the library.",
)
navidrome_page = placeholder(
    "navidrome",
    "Navidrome",
    "Navidrome configuration and smart playlists built from Nomarr's tags.",
)
