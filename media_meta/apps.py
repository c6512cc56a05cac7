"""App config for `media_meta`."""

from django.apps import AppConfig


class MediaMetaConfig(AppConfig):
    name = "media_meta"
    verbose_name = "Series metadata"
