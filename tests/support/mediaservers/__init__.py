"""Fake media servers (Jellyfin, Emby, Navidrome, Audiobookshelf, Plex and plex.tv) on 127.0.0.1
that answer with the real paths, auth headers, status codes and JSON/XML shapes, for testing the
clients in `invitations.clients` and everything built on them."""
