"""The public group page: members, past members, consultations and sign-offs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support.contributions import sign_off
from tests.support.factories import MembershipFactory, OrganisationFactory, UserFactory, WorkingGroupFactory
from tests.support.people import member_of
from tests.support.trees import groups_tree
from workinggroups.models import Membership, Position
from workinggroups.services.memberships import membership_change_role, membership_leave

pytestmark = pytest.mark.django_db


def test_group_page_lists_members_roles_organisations_consultations_and_signoffs(client):
    tree = groups_tree(stage="signoff", groups=1)
    group, convenor = tree["groups"][0], tree["convenors"][0]
    member_of(
        group, role="observer", display_name="Olu Observer", organisation=OrganisationFactory(name="Watchdog")
    )
    leaver = member_of(group, display_name="Lee Leaver", organisation=OrganisationFactory(name="Old Charity"))
    membership_leave(membership=Membership.objects.get(user=leaver), actor=leaver)
    sign_off(tree, 0, Position.RESERVATIONS, "Retention periods need limits.")

    page = client.get(group.get_absolute_url()).text
    members = page.split('id="members-heading"')[1].split("</table>")[0]
    assert "Olu Observer" in members and "Watchdog" in members and "Observer" in members
    assert convenor.public_name in members and "Convenor" in members
    assert "Lee Leaver" not in members
    past = page.split('id="past-heading"')[1]
    assert "Lee Leaver" in past and "Old Charity" in past
    consultations = page.split('id="consultations-heading"')[1].split('id="signoffs-heading"')[0]
    assert tree["consultation"].title in consultations and "Sign-off" in consultations
    signoffs = page.split('id="signoffs-heading"')[1]
    assert "Endorse with reservations" in signoffs and "Retention periods need limits." in signoffs
    assert tree["paper"].title in signoffs


def test_a_role_change_is_not_listed_as_leaving():
    group = WorkingGroupFactory()
    convenor = member_of(group, role="convenor")
    member = member_of(group, display_name="Rosa Promoted")
    membership_change_role(membership=Membership.objects.get(user=member), role="convenor", actor=convenor)
    from workinggroups.selectors import group_detail

    context = group_detail(group=group)
    assert [m.user for m in context["past_memberships"]] == []
    assert sorted(m.user.public_name for m in context["memberships"]) == sorted(
        [convenor.public_name, "Rosa Promoted"]
    )


def test_members_and_actions_differ_by_who_is_looking(client):
    group = WorkingGroupFactory()
    url = group.get_absolute_url()
    assert "Sign in to ask to join" in client.get(url).text
    client.force_login(UserFactory(email_verified=False))
    page = client.get(url).text
    assert "confirm your email address" in page and "Ask to join" not in page
    client.force_login(UserFactory())
    assert reverse("workinggroups:join", args=[group.slug]) in client.get(url).text
    convenor = member_of(group, role="convenor")
    client.force_login(convenor)
    page = client.get(url).text
    assert "Manage members and invitations" in page and "Leave " in page


def test_group_page_queries_do_not_grow_with_members_or_signoffs(client, django_assert_max_num_queries):
    tree = groups_tree(stage="signoff", groups=1)
    group = tree["groups"][0]
    sign_off(tree, 0)

    def add_people(n):
        for _ in range(n):
            member_of(group, organisation=OrganisationFactory())
            MembershipFactory(
                group=group,
                joined_at=timezone.now() - timedelta(days=9),
                left_at=timezone.now() - timedelta(days=1),
                ended_reason="left",
            )

    add_people(3)
    with django_assert_max_num_queries(12) as small:
        client.get(group.get_absolute_url())
    add_people(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(group.get_absolute_url())
    assert response.text.count("<tr>") >= 45
