"""URLs of `calibration`: none yet; its pages and menu item come with the feature."""

urlpatterns: list = []
