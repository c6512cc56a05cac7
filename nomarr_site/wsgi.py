"""WSGI entry point (management tools only; Nomarr serves through daphne/ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
application = get_wsgi_application()
