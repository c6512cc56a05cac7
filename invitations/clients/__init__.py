"""Clients for the media servers Nomarr invites people to; `base` holds their one interface."""
