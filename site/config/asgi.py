"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Build the Django app first: it sets Django up before routing imports models.
django_asgi_app = get_asgi_application()

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
