"""Pages of `invitations`."""

from nomarr_site.pages import placeholder

invitations_page = placeholder(
    "invitations",
    "Invitations",
    "Invitation codes for your media servers and the public join page.",
)
users_page = placeholder(
    "users",
    "Users",
    "Users across your media servers, with expiry.",
)
