"""The DRF browsable API is offered to logged-in staff only; everyone else always gets JSON
(also when a client asks for HTML, rather than a 406)."""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer


class StaffBrowsableNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return super().select_renderer(request, renderers, format_suffix)
        renderers = [r for r in renderers if not isinstance(r, BrowsableAPIRenderer)]
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type
