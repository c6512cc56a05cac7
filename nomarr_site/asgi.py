"""ASGI entry point: Django for HTTP, Channels for the WebSocket routes under /ws/ (with the
session and user of the cookie, so a logged-in browser needs no token)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
django_asgi = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from nomarr_site.bodylimit import BodyLimit  # noqa: E402
from nomarr_site.rootpath import ConfiguredRootPath  # noqa: E402
from nomarr_site.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi),
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
application = ConfiguredRootPath(application)  # root path from settings, not a header
