"""Media servers, invitations, the public join page and user expiry."""
