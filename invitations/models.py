"""Models of `invitations`."""
