"""The join page's "Sign in with Plex" step: `POST /j/<code>/plex` starts a PIN and sends the
invitee to app.plex.tv (which returns them to the join page), and `GET /j/<code>/plex/status`
tells the page whether the PIN of the visitor's session was approved (the page polls it while
the invitee signs in in another tab). Both share the join page's limiter: starting is an
attempt like a form post, and an unknown code is a failure.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from invitations import join
from invitations.services import invites, plex_signin, redeem
from nomarr_site.auth import ratelimit
from nomarr_site.domain import Invalid
from nomarr_site.errors import RateLimited, api_error_response

logger = logging.getLogger(__name__)

UNUSABLE = (redeem.InvitationInvalid, redeem.InvitationUsed, redeem.InvitationExpired)


@require_POST
def plex_start(request: HttpRequest, code: str) -> HttpResponse:
    try:
        ratelimit.check_and_count(request)
        invitation = redeem.usable_invitation(code)
    except RateLimited as exc:
        return join.throttled(request, exc)
    except UNUSABLE as exc:
        return join.unusable(request, exc)
    forward_url = request.build_absolute_uri(f"/j/{invitation.code}")
    try:
        auth_url = plex_signin.start(request.session, invitation, forward_url)
    except plex_signin.PlexUnavailable as exc:
        return join.page(request, invitation, 502, error=exc.message)
    except Invalid as exc:
        return join.page(request, invitation, 400, error=exc.message)
    return HttpResponseRedirect(auth_url)


@require_GET
def plex_status(request: HttpRequest, code: str) -> HttpResponse:
    """`{"status": "none"|"waiting"|"signed_in"|"expired", "username"}`; the e-mail stays on
    the server until the page shows it."""
    invitation = invites.find_by_code(code)
    try:
        if invitation is None or not plex_signin.grants_plex(invitation):
            ratelimit.check_and_count(request)
            ratelimit.record_failure(request)
            return api_error_response(404, "This invitation link is not valid")
        signin = plex_signin.status(request.session, invitation)
        if signin.state == "none":
            ratelimit.check_and_count(request)  # no sign-in of this visitor: a probe
    except RateLimited as exc:
        response = api_error_response(429, ratelimit.retry_message(exc.retry_after))
        if exc.retry_after:
            response["Retry-After"] = str(int(exc.retry_after))
        return response
    except plex_signin.PlexUnavailable as exc:
        return api_error_response(502, exc.message)
    return JsonResponse({"status": signin.state, "username": signin.username})
