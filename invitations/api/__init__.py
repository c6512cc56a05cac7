"""The invitations API: Wizarr's reference endpoints under /api/ (API keys, tokens, sessions)."""
