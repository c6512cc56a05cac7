"""Episode downloads: the engine that brings one file from a source (a direct HTTP(S) URL or a
page yt-dlp understands) into a series folder, resumable and verified. No database access:
the queue's `download` job calls it and records the outcome."""
