"""URLs of `invitations`: the reference API (service group: sessions, tokens, full API keys),
the owner's pages and their form posts (page group), and the public join page."""

from django.urls import path

import nomarr_site.converters  # noqa: F401 - registers <id:…>
from invitations import join, join_plex, views
from invitations.api import views as api
from nomarr_site.auth import policy

# A join code as typed: letters and digits only, so a path never reaches the lookup oddly.
JOIN = "j/<str:code>"

urlpatterns = [
    *policy.routes(
        policy.SERVICE,
        [
            path("api/status", api.StatusView.as_view()),
            path("api/users", api.UserListView.as_view()),
            path("api/users/<id:user_id>", api.UserDetailView.as_view()),
            path("api/users/<id:user_id>/extend", api.UserExtendView.as_view()),
            path("api/invitations", api.InvitationListView.as_view()),
            path("api/invitations/<id:invitation_id>", api.InvitationDetailView.as_view()),
            path("api/libraries", api.LibraryListView.as_view()),
            path("api/servers", api.ServerListView.as_view()),
        ],
    ),
    *policy.routes(
        policy.PAGE,
        [
            path("web/servers", views.servers_page, name="servers"),
            path("web/servers/rows", views.server_rows),
            path("web/servers/add", views.add_server),
            path("web/servers/<id:server_id>/verify", views.verify_server),
            path("web/servers/<id:server_id>/sync", views.sync_server),
            path("web/servers/<id:server_id>/delete", views.delete_server),
            path("web/invitations", views.invitations_page, name="invitations"),
            path("web/invitations/rows", views.invitation_rows),
            path("web/invitations/create", views.create_invitation),
            path("web/invitations/<id:invitation_id>/delete", views.delete_invitation),
            path("web/users", views.users_page, name="users"),
            path("web/users/rows", views.user_rows),
            path("web/users/<id:user_id>/extend", views.extend_user),
            path("web/users/<id:user_id>/delete", views.delete_user),
        ],
    ),
    *policy.routes(
        policy.PUBLIC,
        [
            path(JOIN, join.join_page, name="join"),
            path(f"{JOIN}/plex", join_plex.plex_start),
            path(f"{JOIN}/plex/status", join_plex.plex_status),
        ],
    ),
]
