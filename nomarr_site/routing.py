"""WebSocket routes: the events consumer at /ws/connect. Any other path is refused with 403
like a socket without a credential, rather than failing inside Channels' router (a 500 and
a traceback in the log for every probe)."""

from channels.security.websocket import WebsocketDenier
from django.urls import path, re_path

from nomarr_site.auth import policy
from nomarr_site.events.consumers import EventsConsumer

websocket_urlpatterns = [
    *policy.routes(policy.SERVICE, [path("ws/connect", EventsConsumer.as_asgi())]),
    # Public only in name: it accepts no one, whatever the credential.
    *policy.routes(policy.PUBLIC, [re_path(r"", WebsocketDenier.as_asgi())]),
]
