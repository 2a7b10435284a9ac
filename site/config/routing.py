"""Every websocket route of the site, gathered from the apps' routing modules.

A path no app serves is closed quietly with code 4404, rather than raising
in the router (a traceback and a 500 for every stray client).
"""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path

from consultation.reactions.routing import websocket_urlpatterns as consultation_routes

CLOSE_NOT_FOUND = 4404


class NotFoundConsumer(AsyncWebsocketConsumer):
    # No channel layer: a refused socket needs no channel of its own. With one, every stray
    # client cost a Redis channel and a blocking pop, and redis-py can swallow the cancellation
    # of a pop in flight (redis/redis-py#2028): the socket's task then never ended (seen as a
    # test run that hung at its event loop's close).
    channel_layer_alias = None

    async def connect(self):
        await self.close(code=CLOSE_NOT_FOUND)


websocket_urlpatterns = [*consultation_routes, re_path(r"", NotFoundConsumer.as_asgi())]
