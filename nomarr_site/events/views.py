"""HTTP endpoints of the events: the SSE stream (a plain async Django view, so it is not in the
OpenAPI schema) and GET /ws/status (DRF)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nomarr_site.auth import policy
from nomarr_site.auth.credentials import InvalidCredential
from nomarr_site.auth.gate import checks_policy
from nomarr_site.errors import api_error_response
from nomarr_site.events import access, consumers
from nomarr_site.events.envelope import ROOMS
from nomarr_site.events.sender import SUPPORTED_MESSAGE_TYPES
from nomarr_site.events.sse import DEFAULT_ROOMS, event_stream


def _unauthorized(message: str) -> HttpResponse:
    response = api_error_response(401, message)
    response["WWW-Authenticate"] = 'Bearer realm="nomarr"'
    return response


def _rooms(raw: str | None) -> tuple[str, ...] | None:
    """The `rooms` query parameter (comma-separated), or None when it names an unknown room."""
    if not raw:
        return DEFAULT_ROOMS
    rooms = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not rooms or any(room not in ROOMS for room in rooms):
        return None
    return rooms


def _last_event_id(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        return None  # not one of our ids: start from the current state
    return int(raw)


@checks_policy
@require_GET
async def events_status(request: HttpRequest) -> HttpResponseBase:
    """GET /api/web/events/status: queue, worker and health events as Server-Sent Events."""
    try:
        credential, session_key = await access.credential_for_request(request)
    except InvalidCredential as exc:
        return _unauthorized(str(exc))
    reason = access.refusal(policy.group_of_request(request), credential)
    if credential is None:
        return _unauthorized(reason or "Authentication required")
    if reason:
        return api_error_response(403, reason)
    rooms = _rooms(request.GET.get("rooms"))
    if rooms is None:
        return api_error_response(
            400, f"Unknown room in 'rooms'; rooms are {', '.join(ROOMS)}", details={"rooms": ROOMS}
        )
    watch = access.Watch(credential, session_key)
    response = StreamingHttpResponse(
        event_stream(watch, rooms, _last_event_id(request)), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


class WsStatusView(APIView):
    """GET /ws/status: the WebSocket service and the message types it speaks."""

    @extend_schema(
        responses=inline_serializer(
            "WsStatus",
            {
                "status": serializers.CharField(),
                "active_connections": serializers.IntegerField(),
                "supported_message_types": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "status": "operational",
                "active_connections": consumers.active_connections(),
                "supported_message_types": list(SUPPORTED_MESSAGE_TYPES),
            }
        )
