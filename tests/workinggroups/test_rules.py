"""Who may manage a group, ask to join it and leave it. Refusals first."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.support.factories import MembershipFactory, UserFactory, WorkingGroupFactory
from tests.support.people import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return WorkingGroupFactory()


def people(group):
    other_group = WorkingGroupFactory()
    former_convenor = UserFactory()
    MembershipFactory(
        group=group,
        user=former_convenor,
        role="convenor",
        joined_at=timezone.now() - timedelta(days=30),
        left_at=timezone.now() - timedelta(days=1),
    )
    return {
        "anonymous": AnonymousUser(),
        "unverified public": UserFactory(email_verified=False),
        "verified public": UserFactory(),
        "observer": member_of(group, role="observer"),
        "member": member_of(group),
        "convenor": member_of(group, role="convenor"),
        "inactive convenor": member_of(group, role="convenor", is_active=False),
        "former convenor": former_convenor,
        "convenor of another group": member_of(other_group, role="convenor"),
        "inactive staff": UserFactory(is_staff=True, is_active=False),
        "staff": UserFactory(is_staff=True),
        "superuser": UserFactory(is_superuser=True),
    }


MANAGERS = {"convenor", "staff", "superuser"}
MAY_ASK = {"verified public", "former convenor", "convenor of another group", "staff", "superuser"}
# Superusers obey the rules like anyone else (accounts.User.has_perm): one who
# is not in the group has nothing to leave.
MAY_LEAVE = {"observer", "member", "convenor"}


def test_only_current_convenors_of_the_group_and_staff_may_manage_it(group):
    everyone = people(group)
    refused = [name for name in everyone if name not in MANAGERS]
    assert len(refused) > len(MANAGERS)
    for name in refused:
        assert not everyone[name].has_perm("workinggroups.manage_group", group), name
    for name in MANAGERS:
        assert everyone[name].has_perm("workinggroups.manage_group", group), name


def test_convenor_of_one_group_cannot_manage_another(group):
    convenor = member_of(group, role="convenor")
    assert not convenor.has_perm("workinggroups.manage_group", WorkingGroupFactory())
    assert not convenor.has_perm("workinggroups.manage_group", None)


def test_asking_to_join_needs_a_verified_address_and_not_being_a_member(group):
    everyone = people(group)
    for name, user in everyone.items():
        if name not in MAY_ASK:
            assert not user.has_perm("workinggroups.request_to_join", group), name
    for name in MAY_ASK:
        assert everyone[name].has_perm("workinggroups.request_to_join", group), name


def test_only_current_members_may_leave(group):
    everyone = people(group)
    for name, user in everyone.items():
        if name not in MAY_LEAVE:
            assert not user.has_perm("workinggroups.leave_group", group), name
    for name in MAY_LEAVE:
        assert everyone[name].has_perm("workinggroups.leave_group", group), name
