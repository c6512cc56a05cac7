"""URLs of the event streams (SSE) and WebSocket status."""

from django.urls import path

from nomarr_site.auth import policy
from nomarr_site.events import views

urlpatterns = [
    *policy.routes(
        policy.WEB, [path("api/web/events/status", views.events_status, name="events-status")]
    ),
    *policy.routes(
        policy.SERVICE, [path("ws/status", views.WsStatusView.as_view(), name="ws-status")]
    ),
]
