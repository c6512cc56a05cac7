"""Services of `invitations`: servers, invitation codes, redemption and users. They raise
`nomarr_site.domain` errors and know nothing of HTTP."""
