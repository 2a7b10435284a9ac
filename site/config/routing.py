"""Every websocket route of the site, gathered from the apps' routing modules."""

from consultation.reactions.routing import websocket_urlpatterns as consultation_routes

websocket_urlpatterns = [*consultation_routes]
