"""URLs of the event streams (SSE) and WebSocket status."""

from django.urls import path

from nomarr_site.events import views

urlpatterns = [
    path("api/web/events/status", views.events_status, name="events-status"),
    path("ws/status", views.WsStatusView.as_view(), name="ws-status"),
]
