"""Websocket routes of the consultation app."""

from django.urls import path

from consultation.reactions import consumers

websocket_urlpatterns = [
    path("ws/papers/<int:paper_id>/", consumers.PaperTalliesConsumer.as_asgi()),
]
