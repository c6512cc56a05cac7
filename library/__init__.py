"""Libraries, tracks, scanning, tag reading/writing and the Essentia tagging pipeline."""
