"""URLs of `invitations`: none yet; its pages and menu items come with the feature."""

urlpatterns: list = []
