"""Entry points that queue tagging: the tag API, processing of picked files, Lidarr's webhook,
the `tag` job kind and the `nom run` / `nom show-tags` commands."""
