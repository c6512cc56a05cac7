"""URLs of `invitations`."""

from django.urls import path

from invitations import views
from nomarr_site.auth import policy

urlpatterns = policy.routes(
    policy.PAGE,
    [
        path("web/invitations", views.invitations_page, name="invitations"),
        path("web/users", views.users_page, name="users"),
    ],
)
