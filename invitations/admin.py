"""Backoffice registrations for `invitations`."""
