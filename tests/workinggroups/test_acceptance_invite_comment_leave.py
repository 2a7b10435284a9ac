"""Acceptance 1, end to end over HTTP: a convenor invites a new member by email;
the invitee accepts, comments, and their organisation shows on the comment;
after they leave, the old comment still shows the organisation they spoke for."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from consultation.comments.forms import CommentForm
from consultation.models import Comment
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.trees import groups_tree
from workinggroups.models import Membership

pytestmark = pytest.mark.django_db


def comment_form_data(target, text):
    form = CommentForm(target)
    data = {key: form.initial[key] for key in ("content_type", "object_pk", "timestamp", "security_hash")}
    data.update(comment=text, reply_to=0, next=target.url)
    return data


def byline(html, comment):
    match = re.search(rf'id="{comment.anchor}-by">(.*?)</p>', html, re.S)
    assert match, f"no byline for {comment.anchor}"
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_invite_accept_comment_leave_and_the_comment_keeps_its_organisation(
    client, django_capture_on_commit_callbacks
):
    tree = groups_tree(stage="review", groups=1)
    group, convenor, section = tree["groups"][0], tree["convenors"][0], tree["sections"][0]
    OrganisationFactory(name="Health Data Trust")

    # 1. The convenor invites by email, naming an organisation not yet listed.
    client.force_login(convenor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("workinggroups:manage", args=[group.slug]),
            {
                "invite-email": "rin@example.org",
                "invite-role": "member",
                "invite-new_organisation": "Patients Union",
            },
        )
    link = re.search(r"https?://\S+/groups/invitations/\S+/", mail.outbox[-1].body).group(0)

    # 2. The invitee, signed in with that address, accepts.
    invitee = UserFactory(email="rin@example.org", display_name="Rin Okafor")
    client.force_login(invitee)
    client.post(urlsplit(link).path)
    membership = Membership.objects.current().get(user=invitee, group=group)
    assert membership.organisation.name == "Patients Union"

    # 3. They comment; the comment shows their name and organisation.
    response = client.post(
        reverse("consultation:comment_post"),
        comment_form_data(section, "The consent model needs a review date."),
    )
    assert response.status_code == 302
    comment = Comment.objects.get(user=invitee)
    assert comment.organisation_name == "Patients Union" and comment.working_group == group
    assert byline(client.get(section.url).text, comment) == "Rin Okafor, Patients Union"

    # 4. They leave the group.
    client.post(reverse("workinggroups:leave", args=[group.slug]))
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert not invitee.has_perm("consultation.comment_section", section)

    # 5. The old comment still shows the organisation they spoke for, to anyone.
    client.logout()
    assert byline(client.get(section.url).text, comment) == "Rin Okafor, Patients Union"
    group_page = client.get(group.get_absolute_url()).text
    past = group_page.split('id="past-heading"')[1]
    assert "Rin Okafor" in past and "Patients Union" in past
