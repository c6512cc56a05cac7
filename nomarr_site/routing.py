"""WebSocket routes: the events consumer at /ws/connect."""

from django.urls import path

from nomarr_site.auth import policy
from nomarr_site.events.consumers import EventsConsumer

websocket_urlpatterns = policy.routes(
    policy.SERVICE,
    [
        path("ws/connect", EventsConsumer.as_asgi()),
    ],
)
