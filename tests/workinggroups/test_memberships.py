"""Invitations, requests to join, roles and leaving: services and the pages that use them."""

import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.support.factories import OrganisationFactory, UserFactory, WorkingGroupFactory
from tests.support.people import member_of
from workinggroups.models import Invitation, JoinRequest, Membership, Organisation
from workinggroups.services.memberships import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    join_request_approve,
    join_request_create,
    join_request_decline,
    membership_change,
    membership_change_role,
    membership_leave,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/groups/invitations/\S+/")


@pytest.fixture
def group():
    return WorkingGroupFactory(name="Data sharing group", slug="data-sharing")


@pytest.fixture
def convenor(group):
    return member_of(group, role="convenor")


def invite(group, convenor, email="new.person@example.org", role="member", organisation=None, **kwargs):
    return invitation_create(
        group=group, email=email, role=role, organisation=organisation, actor=convenor, **kwargs
    )


def link_in(message):
    return LINK.search(message.body).group(0)


# ---------------------------------------------------------------- invitations: refusals


def test_invitation_to_a_current_member_is_refused(group, convenor):
    member = member_of(group, email="already@example.org")
    with pytest.raises(ValidationError, match="already a member"):
        invite(group, convenor, email=member.email.upper())
    assert not Invitation.objects.exists()


def test_invitation_with_an_unknown_role_is_refused(group, convenor):
    with pytest.raises(ValidationError, match="Choose a role"):
        invite(group, convenor, role="chair")
    assert not Invitation.objects.exists()


def test_accepting_with_an_account_for_another_address_is_refused(
    group, convenor, django_capture_on_commit_callbacks
):
    invitation = invite(group, convenor, email="invited@example.org")
    stranger = UserFactory(email="someone.else@example.org")
    with pytest.raises(ValidationError, match="different email address"):
        invitation_accept(invitation=invitation, user=stranger)
    assert not Membership.objects.filter(user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_expired_invitation_cannot_be_accepted(group, convenor):
    invitation = invite(group, convenor, email="late@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    invitation.refresh_from_db()
    user = UserFactory(email="late@example.org")
    with pytest.raises(ValidationError, match="expired"):
        invitation_accept(invitation=invitation, user=user)
    assert not Membership.objects.filter(user=user).exists()


def test_withdrawn_invitation_cannot_be_accepted(group, convenor):
    invitation = invite(group, convenor, email="withdrawn@example.org")
    invitation_revoke(invitation=invitation, actor=convenor)
    user = UserFactory(email="withdrawn@example.org")
    with pytest.raises(ValidationError, match="withdrawn"):
        invitation_accept(invitation=invitation, user=user)


def test_invitation_cannot_be_accepted_twice(group, convenor):
    invitation = invite(group, convenor, email="twice@example.org")
    user = UserFactory(email="twice@example.org")
    invitation_accept(invitation=invitation, user=user)
    with pytest.raises(ValidationError, match="already been accepted"):
        invitation_accept(invitation=invitation, user=user)
    assert Membership.objects.filter(user=user).count() == 1


def test_forged_tampered_and_superseded_links_are_not_recognised(group, convenor):
    invitation = invite(group, convenor, email="links@example.org")
    token = invitation.make_token()
    assert Invitation.from_token(token) == invitation
    assert Invitation.from_token(token[:-2] + "xx") is None
    assert Invitation.from_token("not-a-token") is None
    # Inviting again sends a new link; the old one stops working.
    invite(group, convenor, email="links@example.org", role="observer")
    assert Invitation.from_token(token) is None
    assert Invitation.objects.count() == 1


# ---------------------------------------------------------------- invitations: the journey


def test_invitation_email_link_accept_opens_membership_with_role_and_organisation(
    group, convenor, client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Privacy Charity")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(
            group, convenor, email="New.Person@Example.org", role="observer", organisation=organisation
        )
    assert invitation.email == "new.person@example.org"
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "Data sharing group" in message.subject
    url = link_in(message)
    assert url.startswith(settings.SITE_URL + "/groups/invitations/")  # from SITE_URL, never the Host header
    path = urlsplit(url).path

    # Anonymous: the page explains and offers sign-in that comes back here.
    response = client.get(path)
    assert response.status_code == 200
    assert "Sign in to accept" in response.text
    assert f"/accounts/login/?{urlencode({'next': path})}" in response.text

    person = UserFactory(email="new.person@example.org", email_verified=False)
    client.force_login(person)
    response = client.get(path)
    assert "Accept and join Data sharing group" in response.text
    response = client.post(path, follow=True)
    assert response.status_code == 200
    membership = Membership.objects.get(user=person, group=group)
    assert membership.role == "observer"
    assert membership.organisation == organisation
    assert membership.is_current
    person.refresh_from_db()
    assert person.email_verified, "following the emailed link proves the address"
    invitation.refresh_from_db()
    assert invitation.accepted_by == person and invitation.membership == membership
    assert "Welcome to Data sharing group" in response.text


def test_invitation_page_for_a_bad_link_is_a_clear_404(client):
    response = client.get(reverse("workinggroups:invitation", kwargs={"token": "garbled"}))
    assert response.status_code == 404
    assert "not recognised" in response.text


def test_wrong_account_sees_why_on_the_invitation_page(group, convenor, client):
    invitation = invite(group, convenor, email="right@example.org")
    client.force_login(UserFactory(email="wrong@example.org"))
    url = reverse("workinggroups:invitation", kwargs={"token": invitation.make_token()})
    assert "different email address" in client.get(url).text
    response = client.post(url)
    assert response.status_code == 400
    assert not Membership.objects.filter(group=group, user__email="wrong@example.org").exists()


# ---------------------------------------------------------------- requests to join


def test_second_pending_request_is_refused(group):
    person = UserFactory()
    join_request_create(group=group, user=person)
    with pytest.raises(ValidationError, match="already asked"):
        join_request_create(group=group, user=person)
    assert JoinRequest.objects.filter(user=person).count() == 1


def test_a_member_cannot_ask_to_join_again(group):
    member = member_of(group)
    with pytest.raises(ValidationError, match="already a member"):
        join_request_create(group=group, user=member)


def test_request_approved_with_a_new_organisation_and_a_role(
    group, convenor, django_capture_on_commit_callbacks
):
    person = UserFactory(email="asker@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        join_request = join_request_create(
            group=group, user=person, organisation_name="  Open  Data Institute ", message="I study this."
        )
    assert [m.to for m in mail.outbox] == [[convenor.email]]
    assert "asks to join" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        membership = join_request_approve(join_request=join_request, role="observer", actor=convenor)
    assert membership.role == "observer"
    assert membership.organisation.name == "Open Data Institute"
    join_request.refresh_from_db()
    assert join_request.status == "approved" and join_request.decided_by == convenor
    assert mail.outbox[-1].to == ["asker@example.org"]
    assert "approved" in mail.outbox[-1].body
    with pytest.raises(ValidationError, match="already been answered"):
        join_request_decline(join_request=join_request, actor=convenor)


def test_existing_organisation_is_reused_case_insensitively(group, convenor):
    existing = OrganisationFactory(name="Open Data Institute")
    join_request = join_request_create(
        group=group, user=UserFactory(), organisation_name="open data institute"
    )
    membership = join_request_approve(join_request=join_request, actor=convenor)
    assert membership.organisation == existing
    assert Organisation.objects.filter(name__iexact="open data institute").count() == 1


def test_declined_request_opens_no_membership_and_tells_the_person(
    group, convenor, django_capture_on_commit_callbacks
):
    person = UserFactory()
    join_request = join_request_create(group=group, user=person)
    with django_capture_on_commit_callbacks(execute=True):
        join_request_decline(join_request=join_request, note="We are full this round.", actor=convenor)
    assert not Membership.objects.filter(user=person).exists()
    assert "We are full this round." in mail.outbox[-1].body


# ---------------------------------------------------------------- roles and leaving keep history


def test_changing_a_role_closes_the_spell_and_opens_a_new_one(group, convenor):
    member = member_of(group, organisation=OrganisationFactory(name="Think Tank"))
    first = Membership.objects.get(user=member)
    new = membership_change_role(membership=first, role="convenor", actor=convenor)
    first.refresh_from_db()
    assert first.left_at is not None and first.ended_reason == "role_changed" and first.ended_by == convenor
    assert new.role == "convenor" and new.organisation == first.organisation and new.is_current
    assert list(Membership.objects.current().filter(user=member)) == [new]
    with pytest.raises(ValidationError, match="already a convenor"):
        membership_change_role(membership=new, role="convenor", actor=convenor)


def test_changing_organisation_keeps_the_old_one_on_the_old_spell(group, convenor):
    member = member_of(group, organisation=OrganisationFactory(name="Old Org"))
    first = Membership.objects.get(user=member)
    new = membership_change(
        membership=first, organisation=OrganisationFactory(name="New Org"), actor=convenor
    )
    first.refresh_from_db()
    assert first.organisation.name == "Old Org" and first.ended_reason == "organisation_changed"
    assert new.organisation.name == "New Org" and new.role == "member"


def test_leaving_closes_the_spell_and_never_deletes_it(group):
    member = member_of(group)
    membership = Membership.objects.get(user=member)
    membership_leave(membership=membership, actor=member)
    membership.refresh_from_db()
    assert membership.left_at is not None and membership.ended_reason == "left"
    assert not member.has_perm("workinggroups.leave_group", group)
    with pytest.raises(ValidationError, match="already ended"):
        membership_leave(membership=membership, actor=member)
    assert Membership.objects.filter(user=member).count() == 1


def test_a_convenor_ending_someone_elses_membership_is_recorded_as_removed(group, convenor):
    member = member_of(group)
    membership = membership_leave(membership=Membership.objects.get(user=member), actor=convenor)
    assert membership.ended_reason == "removed" and membership.ended_by == convenor


def test_a_person_who_left_can_be_invited_back(group, convenor):
    member = member_of(group, email="back@example.org")
    membership_leave(membership=Membership.objects.get(user=member), actor=member)
    invitation = invite(group, convenor, email="back@example.org")
    invitation_accept(invitation=invitation, user=member)
    assert Membership.objects.filter(user=member).count() == 2
    assert Membership.objects.current().filter(user=member).count() == 1


# ---------------------------------------------------------------- pages: refusals first


def test_management_pages_refuse_everyone_but_convenors_and_staff(group, convenor, client):
    urls = [
        reverse("workinggroups:manage", args=[group.slug]),
        reverse(
            "workinggroups:membership_remove", args=[group.slug, Membership.objects.get(user=convenor).pk]
        ),
    ]
    posts = [
        reverse("workinggroups:membership_role", args=[group.slug, Membership.objects.get(user=convenor).pk]),
        reverse("workinggroups:invitation_withdraw", args=[group.slug, 999]),
        reverse("workinggroups:join_request_decide", args=[group.slug, 999]),
    ]
    for url in urls + posts:
        response = client.get(url) if url in urls else client.post(url, {"role": "member"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for person in (member_of(group), member_of(group, role="observer"), UserFactory()):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 403, url
        for url in posts:
            assert client.post(url, {"role": "observer"}).status_code == 403, url
    assert Membership.objects.get(user=convenor).role == "convenor"
    client.force_login(convenor)
    assert client.get(urls[0]).status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get(urls[0]).status_code == 200


def test_invite_form_keeps_the_text_and_explains_a_bad_address(group, convenor, client):
    client.force_login(convenor)
    url = reverse("workinggroups:manage", args=[group.slug])
    response = client.post(url, {"invite-email": "not an address", "invite-role": "member"})
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.text
    assert 'value="not an address"' in response.text
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_invite_form_refuses_a_listed_and_a_new_organisation_together(group, convenor, client):
    client.force_login(convenor)
    organisation = OrganisationFactory()
    response = client.post(
        reverse("workinggroups:manage", args=[group.slug]),
        {
            "invite-email": "a@example.org",
            "invite-role": "member",
            "invite-organisation": organisation.pk,
            "invite-new_organisation": "Another",
        },
    )
    assert response.status_code == 400
    assert "not both" in response.text
    assert not Invitation.objects.exists()
    assert not Organisation.objects.filter(name="Another").exists()


def test_convenor_invites_through_the_page(group, convenor, client, django_capture_on_commit_callbacks):
    client.force_login(convenor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workinggroups:manage", args=[group.slug]),
            {
                "invite-email": "friend@example.org",
                "invite-role": "member",
                "invite-new_organisation": "New Body",
            },
            follow=True,
        )
    assert "Invitation sent to friend@example.org" in response.text
    invitation = Invitation.objects.get()
    assert invitation.organisation.name == "New Body" and invitation.invited_by == convenor
    assert len(mail.outbox) == 1


def test_join_and_approve_through_the_pages(group, convenor, client):
    person = UserFactory(display_name="Asha Patel")
    client.force_login(person)
    response = client.post(
        reverse("workinggroups:join", args=[group.slug]), {"new_organisation": "Citizens Advice"}, follow=True
    )
    assert "Your request to join Data sharing group has been sent" in response.text
    assert "Withdraw your request" in response.text
    join_request = JoinRequest.objects.get(user=person)

    client.force_login(convenor)
    page = client.get(reverse("workinggroups:manage", args=[group.slug])).text
    assert "Asha Patel" in page and "Citizens Advice" in page
    client.post(
        reverse("workinggroups:join_request_decide", args=[group.slug, join_request.pk]),
        {"decision": "approve", "role": "member"},
    )
    membership = Membership.objects.current().get(user=person, group=group)
    assert membership.organisation.name == "Citizens Advice"


@pytest.mark.parametrize(
    ("role", "said", "not_said"),
    [("observer", "is an observer in", "now a member"), ("member", "is now a member of", "observer")],
)
def test_the_convenor_is_told_the_role_they_approved(group, convenor, client, role, said, not_said):
    person = UserFactory(display_name="Asha Patel")
    client.force_login(person)
    client.post(reverse("workinggroups:join", args=[group.slug]), {"new_organisation": "Citizens Advice"})
    join_request = JoinRequest.objects.get(user=person)
    client.force_login(convenor)
    page = client.post(
        reverse("workinggroups:join_request_decide", args=[group.slug, join_request.pk]),
        {"decision": "approve", "role": role},
        follow=True,
    ).text
    assert f"Asha Patel {said} {group.name}" in page
    assert not_said not in page.split("Asha Patel", 1)[1].split(".", 1)[0]


def test_unverified_person_cannot_ask_to_join(group, client):
    client.force_login(UserFactory(email_verified=False))
    assert client.get(reverse("workinggroups:join", args=[group.slug])).status_code == 403
    assert client.post(reverse("workinggroups:join", args=[group.slug]), {}).status_code == 403
    assert not JoinRequest.objects.exists()


def test_member_leaves_through_the_page(group, client):
    member = member_of(group)
    client.force_login(member)
    url = reverse("workinggroups:leave", args=[group.slug])
    assert "still show that you spoke for" in client.get(url).text
    response = client.post(url, follow=True)
    assert "You have left Data sharing group" in response.text
    assert Membership.objects.get(user=member).left_at is not None
    assert client.post(url).status_code == 403


def test_convenor_changes_a_role_through_the_page(group, convenor, client):
    member = member_of(group)
    client.force_login(convenor)
    membership = Membership.objects.get(user=member)
    client.post(
        reverse("workinggroups:membership_role", args=[group.slug, membership.pk]), {"role": "observer"}
    )
    assert Membership.objects.current().get(user=member).role == "observer"
    assert Membership.objects.filter(user=member).count() == 2
