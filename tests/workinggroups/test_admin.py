"""The Wagtail admin for groups: memberships change through the services, so history
is kept; invitations, requests and sign-offs are read-only."""

import pytest
from django.urls import reverse

from consultation.models import RecordEntry
from tests.support.factories import OrganisationFactory, UserFactory, WorkingGroupFactory
from tests.support.people import member_of
from workinggroups.models import Invitation, Membership
from workinggroups.services.memberships import invitation_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, display_name="Ada Admin"))
    return client


def url(model, action, *args):
    return reverse(f"wagtailsnippets_workinggroups_{model}:{action}", args=args)


def membership_form(group, user, role="member", organisation=None, **extra):
    data = {
        "group": group.pk,
        "user": user.pk,
        "role": role,
        "organisation": organisation.pk if organisation else "",
    }
    data.update(extra)
    return data


def test_people_without_admin_access_cannot_reach_the_group_admin(client):
    group = WorkingGroupFactory()
    convenor = member_of(group, role="convenor")
    for user in (None, convenor, UserFactory(is_staff=True)):
        if user:
            client.force_login(user)
        response = client.get(url("membership", "list"))
        assert response.status_code == 302, user
    assert Membership.objects.count() == 1


def test_invitations_requests_and_signoffs_cannot_be_added_or_edited_in_the_admin(admin_client):
    group = WorkingGroupFactory()
    invitation = invitation_create(group=group, email="x@example.org", role="member", actor=None)
    for model in ("invitation", "joinrequest", "signoff"):
        response = admin_client.get(url(model, "add"))
        assert response.status_code in (302, 403), model
    assert admin_client.get(url("invitation", "edit", invitation.pk)).status_code in (302, 403)
    assert admin_client.post(url("invitation", "delete", invitation.pk)).status_code in (302, 403)
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert admin_client.get(url("invitation", "list")).status_code == 200
    assert admin_client.get(url("invitation", "inspect", invitation.pk)).status_code == 200


def test_adding_a_member_twice_is_refused_on_the_form(admin_client):
    group = WorkingGroupFactory()
    member = member_of(group)
    response = admin_client.post(url("membership", "add"), membership_form(group, member))
    assert response.status_code == 200
    assert "is already a member of" in response.text
    assert Membership.objects.filter(user=member).count() == 1


def test_staff_add_change_and_end_a_membership_and_every_spell_is_kept(admin_client):
    group = WorkingGroupFactory()
    person = UserFactory(display_name="Kit Marlow")
    first_org, second_org = OrganisationFactory(name="First Org"), OrganisationFactory(name="Second Org")

    response = admin_client.post(
        url("membership", "add"), membership_form(group, person, organisation=first_org)
    )
    assert response.status_code == 302, response.text[:2000]
    first = Membership.objects.get(user=person)
    assert first.role == "member" and first.organisation == first_org and first.is_current

    # Changing the role and organisation closes the spell and opens a new one.
    admin_client.post(
        url("membership", "edit", first.pk),
        membership_form(group, person, role="convenor", organisation=second_org),
    )
    first.refresh_from_db()
    assert first.left_at is not None and first.ended_reason == "role_changed"
    assert first.organisation == first_org and first.role == "member"
    current = Membership.objects.current().get(user=person)
    assert current.role == "convenor" and current.organisation == second_org

    # A closed spell cannot be rewritten.
    response = admin_client.post(
        url("membership", "edit", first.pk), membership_form(group, person, role="observer")
    )
    first.refresh_from_db()
    assert first.role == "member"

    # Ending the membership sets the date; nothing is deleted.
    admin_client.post(
        url("membership", "edit", current.pk),
        membership_form(group, person, role="convenor", organisation=second_org, end_membership="on"),
    )
    current.refresh_from_db()
    assert current.left_at is not None and current.ended_reason == "removed"
    assert Membership.objects.filter(user=person).count() == 2
    assert not Membership.objects.current().filter(user=person).exists()
    kinds = list(RecordEntry.objects.filter(kind="membership").values_list("data__change", flat=True))
    assert kinds == ["joined", "role_changed", "removed"]
