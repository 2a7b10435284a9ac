"""Django under the ASGI server: the middleware and the view run in one trip to the request's thread
(core/handlers.py), and every middleware still does its job there (CSRF, sessions, the rule's refusal)."""

import json

import pytest
from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from consultation.models import Reaction
from tests.support.factories import UserFactory
from tests.support.people import member_of
from tests.support.trees import reaction_tree

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

CSRF = "0123456789abcdef0123456789abcdef"


def _signed_in(member):
    """(section id, session cookie) for `member` reacting to a fresh tree's first section."""
    client = Client()
    client.force_login(member)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _tree_and_people():
    tree = reaction_tree(sections=1)
    member = member_of(tree["groups"][0])
    outsider = UserFactory(email_verified=True)
    return tree["sections"][0].pk, _signed_in(member), _signed_in(outsider)


async def _react(section_id, session, *, csrf=True):
    headers = [
        (b"host", b"testserver"),
        (b"accept", b"application/json"),
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={CSRF}".encode()),
    ]
    if csrf:
        headers.append((b"x-csrftoken", CSRF.encode()))
    communicator = HttpCommunicator(
        application, "POST", f"/consultation/reactions/section/{section_id}/", b"choice=agree", headers
    )
    return await communicator.get_response(timeout=10)


@pytest.fixture
def trips(monkeypatch):
    """How many times requests crossed from the event loop to a thread (asgiref's SyncToAsync)."""
    crossings = []
    original = SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        crossings.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    return crossings


async def test_a_reaction_post_crosses_to_its_thread_once_for_the_middleware_and_the_view(trips):
    section_id, member, _ = await database_sync_to_async(_tree_and_people)()
    await _react(section_id, member)  # warm: the URL resolvers, Wagtail's site lookups
    trips.clear()
    response = await _react(section_id, member)
    assert response["status"] == 200
    # Until the response is sent: request_started's receivers, then the whole middleware chain
    # with the view in one call (the response's close, request_finished, follows the answer).
    # Django's own handler crossed about ten times: twice for each MiddlewareMixin
    # (process_request, process_response) and back for each synchronous middleware.
    assert [trip for trip in trips if "close" not in trip] == [
        "Signal.asend.<locals>.sync_send",
        "BaseHandler.get_response",
    ]
    assert json.loads(response["body"])["tally"]["counts"]["agree"] == 1


async def test_the_middleware_still_refuses_a_post_without_its_csrf_token():
    section_id, member, _ = await database_sync_to_async(_tree_and_people)()
    response = await _react(section_id, member, csrf=False)
    assert response["status"] == 403
    assert not await database_sync_to_async(Reaction.objects.exists)()


async def test_the_rule_still_refuses_someone_outside_the_invited_groups():
    section_id, _, outsider = await database_sync_to_async(_tree_and_people)()
    response = await _react(section_id, outsider)
    assert response["status"] == 403
    assert b"error" in response["body"]
    assert not await database_sync_to_async(Reaction.objects.exists)()


async def test_the_anonymous_are_asked_to_sign_in():
    section_id, _, _ = await database_sync_to_async(_tree_and_people)()
    response = await _react(section_id, "no-such-session")
    assert response["status"] == 401
