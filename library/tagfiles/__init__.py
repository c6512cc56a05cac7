"""Reading audio file tags with mutagen (the five formats below by suffix, or for the scanner
any format mutagen recognises) and safely writing them (MP3, FLAC, Ogg Vorbis, Opus, M4A)."""
