"""Retention: what the process no longer needs is deleted by `manage.py apply_retention`."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tests.support.contributions import make_comment
from tests.support.factories import UserFactory, WorkingGroupFactory
from tests.support.trees import comment_tree
from workinggroups.models import Invitation, JoinRequest

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_retention_keeps_new_unconfirmed_accounts_confirmed_ones_and_staff(settings):
    settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS = 30
    newer = UserFactory(email_verified=False, date_joined=days_ago(29))
    confirmed = UserFactory(email_verified=True, date_joined=days_ago(400))
    staff = UserFactory(email_verified=False, is_staff=True, date_joined=days_ago(400))
    call_command("apply_retention", stdout=StringIO())
    assert set(get_user_model().objects.values_list("pk", flat=True)) >= {newer.pk, confirmed.pk, staff.pk}


def test_retention_deletes_an_unconfirmed_account_older_than_the_limit(settings):
    settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS = 30
    older = UserFactory(email_verified=False, date_joined=days_ago(31))
    newer = UserFactory(email_verified=False, date_joined=days_ago(1))
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert not get_user_model().objects.filter(pk=older.pk).exists()
    assert get_user_model().objects.filter(pk=newer.pk).exists()
    assert "unverified accounts deleted: 1" in out.getvalue()


def test_an_old_unconfirmed_account_with_a_comment_is_erased_not_deleted(settings):
    settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS = 30
    tree = comment_tree()
    author = UserFactory(email_verified=False, date_joined=days_ago(60), display_name="Old Unconfirmed")
    comment = make_comment(paper=tree["paper"], author=author, section=tree["sections"][0])
    call_command("apply_retention", stdout=StringIO())
    author.refresh_from_db()
    comment.refresh_from_db()
    assert author.erased_at is not None and author.email == ""
    assert comment.author_name == "A former participant"


def test_stale_invitations_join_requests_and_sign_in_attempts_are_purged(settings):
    settings.RETENTION_INVITATION_DAYS = 90
    group = WorkingGroupFactory()
    stale = Invitation.objects.create(group=group, email="old@example.org", expires_at=days_ago(91))
    live = Invitation.objects.create(group=group, email="new@example.org", expires_at=days_ago(10))
    person = UserFactory()
    decided = JoinRequest.objects.create(
        group=group, user=person, status=JoinRequest.Status.DECLINED, decided_at=days_ago(91)
    )
    pending = JoinRequest.objects.create(group=WorkingGroupFactory(), user=person, created_at=days_ago(400))
    # Planted without axes' signals: with Redis, axes counts in the cache (its cache handler has
    # no row hooks), yet rows from the database handler may remain from before and must go too.
    old_attempt, fresh_attempt = AccessAttempt.objects.bulk_create(
        [
            AccessAttempt(username="someone", ip_address="192.0.2.1", user_agent="x", failures_since_start=1),
            AccessAttempt(
                username="someone-else", ip_address="192.0.2.2", user_agent="x", failures_since_start=1
            ),
        ]
    )
    AccessAttempt.objects.filter(pk=old_attempt.pk).update(attempt_time=days_ago(1))

    call_command("apply_retention", stdout=StringIO())

    assert not Invitation.objects.filter(pk=stale.pk).exists()
    assert Invitation.objects.filter(pk=live.pk).exists()
    assert not JoinRequest.objects.filter(pk=decided.pk).exists()
    assert JoinRequest.objects.filter(pk=pending.pk).exists()
    assert not AccessAttempt.objects.filter(pk=old_attempt.pk).exists()
    assert AccessAttempt.objects.filter(pk=fresh_attempt.pk).exists()
