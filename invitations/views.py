"""Pages of `invitations` for the owner: servers (add, verify, sync libraries, remove),
invitations (create, link, QR code, delete) and users (search, extend, delete).

The pages are server-rendered; each action is a plain form post (CSRF-checked) that calls a
service and redirects back to its page with a message, so the page shows the new state. Each
page's table rows are also a fragment of their own (`.../rows`), which the page re-reads when a
live event of the room `invitations` says something changed (`static/js/invitations.js`).
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from invitations.clients import SERVER_TYPES
from invitations.models import SERVER_TYPE_LABELS, MediaServer, ServerLibrary
from invitations.services import invites, servers, users
from invitations.shapes import invitation_json
from nomarr_site.domain import DomainError

EXPIRY_CHOICES = [("", "Never"), ("1", "1 day"), ("7", "7 days"), ("30", "30 days")]


def _checked(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("on", "true", "1")


def _attempt(request: HttpRequest, action, success: str) -> None:
    """Run `action`; its success or the domain error's message becomes a page message."""
    try:
        result = action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return
    messages.success(request, success.format(result=result))


def join_link(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(f"/j/{code}")


def qr_svg(link: str) -> str:
    """The link as an inline SVG QR code (segno, no external request)."""
    return segno.make(link, error="m").svg_inline(scale=3, border=2)


@login_required
@require_GET
def servers_page(request: HttpRequest) -> HttpResponse:
    context = {
        "active": "servers",
        "servers": MediaServer.objects.prefetch_related("libraries"),
        "server_types": [(t, SERVER_TYPE_LABELS.get(t, t)) for t in SERVER_TYPES],
    }
    return render(request, "invitations/servers.html", context)


@login_required
@require_GET
def server_rows(request: HttpRequest) -> HttpResponse:
    context = {"servers": MediaServer.objects.prefetch_related("libraries")}
    return render(request, "invitations/partials/server_rows.html", context)


@login_required
@require_POST
def add_server(request: HttpRequest) -> HttpResponse:
    data: dict[str, Any] = {
        key: request.POST.get(key, "")
        for key in (
            "name",
            "server_type",
            "server_url",
            "external_url",
            "token",
            "username",
            "password",
        )
    }
    for flag in servers.FLAGS:
        data[flag] = _checked(request, flag)
    _attempt(request, lambda: servers.add_server(data).name, "Server {result} added; verify it.")
    return redirect("/web/servers")


@login_required
@require_POST
def verify_server(request: HttpRequest, server_id: int) -> HttpResponse:
    _attempt(
        request,
        lambda: servers.verify_server(server_id).name,
        "Verified: the server answers as {result}.",
    )
    return redirect("/web/servers")


@login_required
@require_POST
def sync_server(request: HttpRequest, server_id: int) -> HttpResponse:
    _attempt(
        request,
        lambda: len(servers.sync_libraries(server_id)),
        "Libraries synced: {result} found.",
    )
    return redirect("/web/servers")


@login_required
@require_POST
def delete_server(request: HttpRequest, server_id: int) -> HttpResponse:
    _attempt(request, lambda: servers.delete_server(server_id), "Server {result} removed.")
    return redirect("/web/servers")


def _invitation_rows(request: HttpRequest) -> list[dict[str, Any]]:
    rows = []
    for invitation in invites.list_invitations():
        link = join_link(request, invitation.code)
        row = {**invitation_json(invitation), "expires_at": invitation.expires}
        rows.append({**row, "link": link, "qr": qr_svg(link)})
    return rows


@login_required
@require_GET
def invitation_rows(request: HttpRequest) -> HttpResponse:
    context = {"invitations": _invitation_rows(request)}
    return render(request, "invitations/partials/invitation_rows.html", context)


@login_required
@require_GET
def invitations_page(request: HttpRequest) -> HttpResponse:
    context = {
        "active": "invitations",
        "invitations": _invitation_rows(request),
        "libraries": ServerLibrary.objects.select_related("server"),
        "has_servers": MediaServer.objects.exists(),
        "expiry_choices": EXPIRY_CHOICES,
    }
    return render(request, "invitations/invitations.html", context)


def _invitation_form(request: HttpRequest) -> dict[str, Any]:
    """The create form's values in the API's types (the service checks them)."""
    post = request.POST
    data: dict[str, Any] = {
        "duration": post.get("duration", "").strip() or "unlimited",
        "unlimited": _checked(request, "unlimited"),
        **{flag: _checked(request, flag) for flag in invites.FLAGS},
    }
    expires = post.get("expires_in_days", "")
    data["expires_in_days"] = int(expires) if expires.isdigit() and len(expires) < 4 else None
    if expires and data["expires_in_days"] is None:
        data["expires_in_days"] = expires  # refused by the service with its message
    chosen = post.getlist("library_ids")
    if chosen:
        data["library_ids"] = [int(i) if i.isdigit() and len(i) < 19 else i for i in chosen]
    if post.get("code", "").strip():
        data["code"] = post["code"]
    return data


@login_required
@require_POST
def create_invitation(request: HttpRequest) -> HttpResponse:
    data = _invitation_form(request)
    _attempt(
        request,
        lambda: invites.create_invitation(data).code,
        "Invitation {result} created.",
    )
    return redirect("/web/invitations")


@login_required
@require_POST
def delete_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    _attempt(
        request, lambda: invites.delete_invitation(invitation_id), "Invitation {result} deleted."
    )
    return redirect("/web/invitations")


@login_required
@require_GET
def users_page(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("search", "")[:200]
    context = {"active": "users", "users": users.search_users(search), "search": search}
    return render(request, "invitations/users.html", context)


@login_required
@require_GET
def user_rows(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("search", "")[:200]
    context = {"users": users.search_users(search), "search": search}
    return render(request, "invitations/partials/user_rows.html", context)


@login_required
@require_POST
def extend_user(request: HttpRequest, user_id: int) -> HttpResponse:
    raw = request.POST.get("days", "").strip()
    days: Any = int(raw) if raw.isdigit() and len(raw) < 6 else raw
    _attempt(
        request,
        lambda: users.extend_user(user_id, days).username,
        f"{{result}}'s access was extended by {raw} days.",
    )
    return redirect("/web/users")


@login_required
@require_POST
def delete_user(request: HttpRequest, user_id: int) -> HttpResponse:
    force = _checked(request, "force")

    def delete() -> str:
        username, note = users.delete_user(user_id, force=force)
        return f"User {username} deleted{note}."

    _attempt(request, delete, "{result}")
    return redirect("/web/users")
