"""WebSocket routes: the events consumer at /ws/connect."""

from django.urls import path

from nomarr_site.events.consumers import EventsConsumer

websocket_urlpatterns = [
    path("ws/connect", EventsConsumer.as_asgi()),
]
