"""Websocket routes of the consultation app."""

from django.urls import path

from consultation.reactions import consumers
from core.converters import ID_PATTERN  # noqa: F401  (registers <id:...>)

websocket_urlpatterns = [
    path("ws/papers/<id:paper_id>/", consumers.PaperTalliesConsumer.as_asgi()),
]
