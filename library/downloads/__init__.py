"""Episode downloads: the engine that brings one file from a source (a direct HTTP(S) URL or a
page yt-dlp understands) into a series folder, resumable and verified. No database access: the
queue's `download` job calls it and records the outcome.

    source = sources.source_for(url)            # DownloadError for file:, ftp:, data: ...
    request = DownloadRequest(url, series_folder, episode_file_name(...),
                              f".nomarr-{uuid}.part", on_progress=..., should_stop=...,
                              expected_size=None, expected_sha256=None)
    path = source.download(request)

`DownloadError.retryable` says whether to retry (5xx, 429, timeouts, dropped connections) or
fail (4xx, a size or checksum mismatch, a full disk, an existing different file);
`DownloadStopped` keeps the part file, and the next call with the same part name resumes it.
"""
