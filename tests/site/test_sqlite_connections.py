"""SQLite keeps the connections finished requests closed, for the next request's thread (core/db/sqlite3):
opening one reads the whole schema again. Only on SQLite; PostgreSQL has its own pool."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from consultation.models import Reaction
from core.db.sqlite3.base import DatabaseWrapper
from tests.support.people import member_of
from tests.support.trees import reaction_tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the kept connections are SQLite's"),
]


def _in_a_thread_of_its_own(work):
    """Run `work` as a request's thread does: its own connection, closed at the end."""
    result = {}

    def run():
        try:
            result["value"] = work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result.get("value")


def _raw():
    connection.ensure_connection()
    return connection.connection


def test_the_next_thread_takes_the_connection_the_last_one_closed():
    first = _in_a_thread_of_its_own(_raw)
    assert _in_a_thread_of_its_own(_raw) is first


def test_a_connection_closed_inside_a_transaction_comes_back_rolled_back():
    tree = reaction_tree(sections=1)
    member = member_of(tree["groups"][0])
    section = tree["sections"][0]

    def abandon_a_write():
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(
            "INSERT INTO consultation_reaction (user_id, target_kind, target_id, text_hash, paper_id, "
            "section_id, choice, is_member, paper_version, created_at, updated_at) "
            "VALUES (?, 'section', ?, '', ?, ?, 'agree', 0, '', '2026-01-01', '2026-01-01')",
            [member.pk, section.pk, tree["paper"].pk, section.pk],
        )
        return raw

    raw = _in_a_thread_of_its_own(abandon_a_write)
    assert not raw.in_transaction
    assert not Reaction.objects.exists()
    # And it serves the next request as any connection would.
    client = Client()
    client.force_login(member)
    response = client.post(
        f"/consultation/reactions/section/{section.pk}/", {"choice": "agree"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert Reaction.objects.get().choice == "agree"


def test_no_more_than_a_few_are_kept_per_database():
    gate = threading.Barrier(DatabaseWrapper.IDLE_KEPT + 3)

    def hold_one_at_the_same_time():
        connection.ensure_connection()
        gate.wait(timeout=10)
        return connection.connection

    threads_connections = []

    def run():
        threads_connections.append(_in_a_thread_of_its_own(hold_one_at_the_same_time))

    threads = [threading.Thread(target=run) for _ in range(DatabaseWrapper.IDLE_KEPT + 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(c) for c in threads_connections}) == DatabaseWrapper.IDLE_KEPT + 3
    kept = DatabaseWrapper._idle[connection.settings_dict["NAME"]]
    assert len(kept) == DatabaseWrapper.IDLE_KEPT
