"""Series metadata: TMDB client, Kodi tvshow.nfo read/write and artwork."""
