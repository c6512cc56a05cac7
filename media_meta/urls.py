"""URLs of `media_meta`."""

urlpatterns: list = []
