"""Django's ASGI handler with the middleware and the view run in one trip to a worker thread.

Django's own ASGI handler builds its middleware chain in async mode. Our views and most of
the middleware we use (Django's sessions, CSRF, authentication, messages; WhiteNoise; our
page cache) are synchronous, and Django adapts each of them where the chain changes mode:
`MiddlewareMixin` runs `process_request` and `process_response` through `sync_to_async`
one at a time, and a synchronous middleware calls the rest of the chain through
`async_to_sync`. A reaction POST made about ten trips between the event loop and its
thread, each copying the request's context across, for a quarter of its CPU.

Here the chain is built as under WSGI (`load_middleware(is_async=False)`) and a request
makes one trip: the whole chain and the view run in the request's thread, as they would
under gunicorn, with the same middleware in the same order (CSRF, sessions, rate limits,
axes, security headers). Reading the body, the disconnect watch and sending the response
stay Django's, on the event loop; so do the `request_started` and `request_finished`
signals. An async view would still work (Django runs it with `async_to_sync`), at the cost
of a trip back; the project has none.
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler


class OneTripASGIHandler(ASGIHandler):
    """ASGI handler that serves each HTTP request with one trip to a worker thread."""

    def __init__(self):
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def get_response_async(self, request):
        # thread_sensitive: the request's thread (ThreadSensitiveContext), as Django's own
        # adapters use, so the view's database connection is the one the signals closed.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
