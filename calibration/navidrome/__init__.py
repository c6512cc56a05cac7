"""Navidrome: the custom-tag configuration it reads, a small query language for smart
playlists, their `.nsp` files, and previews computed as Navidrome would match them."""
