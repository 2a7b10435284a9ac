"""Websocket routes of the consultation app."""

websocket_urlpatterns = []
