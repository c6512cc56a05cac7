"""App config for `media_meta`."""

from django.apps import AppConfig


class MediaMetaConfig(AppConfig):
    name = "media_meta"
    verbose_name = "Series metadata"

    def ready(self) -> None:
        # Importing it registers the `nfo_batch` job kind.
        from media_meta import jobs  # noqa: F401
