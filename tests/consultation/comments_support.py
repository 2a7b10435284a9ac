"""Shared set-up for the comment tests: a paper in a stage, people in every role, posting helpers."""

from django.contrib.auth.models import AnonymousUser, Group

from consultation.comments.forms import CommentForm
from consultation.comments.services import comment_create
from consultation.rules import MODERATORS_GROUP
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WorkingGroupFactory,
    build_site_tree,
)
from tests.workinggroups.helpers import editor_of

STAGES = ["drafting", "review", "signoff", "scrutiny", "final"]
ROLES = [
    "anonymous",
    "unverified_public",
    "verified_public",
    "observer",
    "member",
    "convenor",
    "other_group_member",
    "moderator",
    "editor",
]


def comment_tree(*, stage="review", sections=3):
    invited = WorkingGroupFactory(name="Housing working group")
    other = WorkingGroupFactory(name="Transport working group")
    tree = build_site_tree(sections=sections, stage=stage, groups=[invited])
    tree.update(group=invited, other_group=other)
    return tree


def member_of(group, *, role="member", organisation=None, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(
        group=group,
        user=user,
        role=role,
        organisation=organisation or OrganisationFactory(name="Shelter Cymru"),
    )
    return user


def make_user(role, tree):
    """One person in `role` (see ROLES) for the consultation in `tree`."""
    if role == "anonymous":
        return AnonymousUser()
    if role == "unverified_public":
        return UserFactory(email_verified=False)
    if role == "verified_public":
        return UserFactory()
    if role in ("observer", "member", "convenor"):
        return member_of(tree["group"], role=role)
    if role == "other_group_member":
        return member_of(tree["other_group"])
    if role == "moderator":
        user = UserFactory()
        user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
        return user
    if role == "editor":
        # Editors are granted the pages of the consultations they run.
        return editor_of(tree["consultation"])
    raise ValueError(role)


def post_data(target, *, text, reply_to=0, followup=True, next_url=None):
    """What the browser sends: the form's own hidden security fields plus the text."""
    form = CommentForm(target)
    data = {key: form.initial[key] for key in ("content_type", "object_pk", "timestamp", "security_hash")}
    data.update(comment=text, reply_to=reply_to, next=next_url or target.url)
    if followup:
        data["followup"] = "on"
    return data


def add_comment(author, target, text="A comment.", parent=None, followup=True):
    return comment_create(author=author, target=target, text=text, parent=parent, followup=followup)
