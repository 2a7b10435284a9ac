"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Set Django up first (as get_asgi_application() does), before routing imports models.
django.setup(set_prefix=False)

from core.handlers import OneTripASGIHandler  # noqa: E402

# Django's ASGI handler, with the middleware and the view in one trip to a worker thread.
django_asgi_app = OneTripASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402

# Websockets get the session (lazily, from the cookie) but not channels'
# AuthMiddleware: that would load the user in a trip to the database thread of
# its own for every socket. The tallies consumer resolves the user from the
# session in the same trip as its access check (consultation/reactions/consumers.py).
application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(SessionMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
