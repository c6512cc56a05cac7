"""The public join page `/j/<code>`: shows the servers and libraries an invitation grants and
takes a user name, password and e-mail; the accounts are made by `services.redeem`. When a
Plex server is granted, the invitee can sign in with Plex first (`join_plex`): the e-mail of
that Plex account, read server-side, is then the address Plex shares with.

Invalid, used and expired codes get a friendly page that names nothing else of the
invitation. Requests share the login limiter (`nomarr_site.auth.ratelimit`): every form post
counts as an attempt and an unknown code as a failure, so guessing codes locks the client out
like guessing passwords.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from invitations import shapes
from invitations.models import Invitation
from invitations.services import invites, plex_signin, redeem
from invitations.services.join_rules import rules
from nomarr_site.auth import ratelimit
from nomarr_site.domain import DomainError, Invalid
from nomarr_site.errors import RateLimited

logger = logging.getLogger(__name__)

UNUSABLE = {
    redeem.InvitationInvalid: ("invalid", 404, "This invitation link is not valid."),
    redeem.InvitationUsed: ("used", 410, "This invitation has already been used."),
    redeem.InvitationExpired: ("expired", 410, "This invitation has expired."),
}


def unusable(request: HttpRequest, exc: DomainError) -> HttpResponse:
    for kind, (name, status, text) in UNUSABLE.items():
        if isinstance(exc, kind):
            if name == "invalid":
                ratelimit.record_failure(request)
            if name == "used" and "being used" in exc.message:
                text = exc.message + "."
            return render(
                request,
                "invitations/join_closed.html",
                {"reason": name, "text": text},
                status=status,
            )
    raise exc


def throttled(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = render(
        request,
        "invitations/join_closed.html",
        {"reason": "throttled", "text": ratelimit.retry_message(exc.retry_after)},
        status=429,
    )
    if exc.retry_after:
        response["Retry-After"] = str(int(exc.retry_after))
    return response


def plex_state(request: HttpRequest, invitation: Invitation) -> dict | None:
    """The visitor's Plex sign-in for the page (None when no Plex server is granted)."""
    if not plex_signin.grants_plex(invitation):
        return None
    try:
        signin = plex_signin.status(request.session, invitation)
    except plex_signin.PlexUnavailable as exc:
        return {"state": "error", "message": exc.message}
    return {"state": signin.state, "username": signin.username, "email": signin.email}


def page(request, invitation: Invitation, status: int = 200, **extra) -> HttpResponse:
    granted = []
    chosen = list(invitation.libraries.all())
    for server in invitation.servers.all():
        names = [lib.name for lib in chosen if lib.server_id == server.pk]
        if not chosen:
            names = [lib.name for lib in server.libraries.all()] or ["all libraries"]
        granted.append(
            {
                "name": server.name,
                "type": server.get_server_type_display(),
                "libraries": names,
                "plex": server.server_type == "plex",
            }
        )
    context = {
        "code": invitation.code,
        "title": shapes.display_name(invitation).display_name,
        "granted": granted,
        "rules": rules(invitation.servers.all()),
        "duration": invitation.duration,
        "plex": plex_state(request, invitation),
        **extra,
    }
    return render(request, "invitations/join.html", context, status=status)


@require_http_methods(["GET", "POST"])
def join_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        if request.method == "POST" or invites.find_by_code(code) is None:
            ratelimit.check_and_count(request)
        invitation = redeem.usable_invitation(code)
    except RateLimited as exc:
        return throttled(request, exc)
    except (redeem.InvitationInvalid, redeem.InvitationUsed, redeem.InvitationExpired) as exc:
        return unusable(request, exc)
    if request.method == "GET":
        return page(request, invitation)
    form = {key: request.POST.get(key, "") for key in ("username", "password", "email")}
    plex = plex_state(request, invitation)
    if plex and plex["state"] == "signed_in":
        form["email"] = plex["email"]  # the account read from plex.tv, never a typed one
    try:
        result = redeem.redeem(code, form)
    except Invalid as exc:
        shown = {"username": form["username"], "email": form["email"]}
        return page(request, invitation, 400, error=exc.message, field=exc.field, form=shown)
    except (redeem.InvitationUsed, redeem.InvitationExpired) as exc:
        return unusable(request, exc)
    if result.complete:
        plex_signin.forget(request.session, invitation)
    return render(
        request,
        "invitations/join_result.html",
        {
            "result": result,
            "code": invitation.code,
            "title": shapes.display_name(invitation).display_name,
        },
    )
