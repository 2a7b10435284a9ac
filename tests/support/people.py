"""People in the roles the tests need: members of working groups, editors, one per comment role."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.utils import timezone
from wagtail.models import GroupPagePermission

from consultation.rules import MODERATORS_GROUP
from tests.support.factories import MembershipFactory, OrganisationFactory, UserFactory

# The roles of the comment matrices (see `person_in_role`).
COMMENT_ROLES = [
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


def member_of(group, *, role="member", organisation=None, **user_fields):
    """A new person with a current membership of `group`.

    `organisation` is who they speak for: an Organisation, a name (the
    organisation is found or created), or None for an organisation of their own.
    Other keywords go to the user (username, display_name, email_verified, …).
    """
    user = UserFactory(**user_fields)
    if isinstance(organisation, str):
        organisation = OrganisationFactory(name=organisation)
    kwargs = {"organisation": organisation} if organisation is not None else {}
    MembershipFactory(group=group, user=user, role=role, **kwargs)
    return user


def editor_of(page, *, username=None, publish=True):
    """A Wagtail editor with page permissions on `page`'s subtree (add and change; publish unless told).

    A new person unless `username` names one who exists already."""
    group, _ = Group.objects.get_or_create(
        name=f"Editors of {page.slug} ({'publish' if publish else 'edit'})"
    )
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    codenames = ["add_page", "change_page"] + (["publish_page"] if publish else [])
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=Permission.objects.get(codename=codename)
        )
    user = UserFactory(username=username) if username else UserFactory()
    user.groups.add(group)
    return user


def person_in_role(role, tree):
    """One person in `role` (see COMMENT_ROLES) for the consultation of a `comment_tree`."""
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
        return comment_moderator()
    if role == "editor":
        # Editors are granted the pages of the consultations they run.
        return editor_of(tree["consultation"])
    raise ValueError(role)


def comment_moderator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


def former_member_of(group):
    """Someone who left `group` yesterday."""
    former = member_of(group)
    former.memberships.update(left_at=timezone.now() - timedelta(days=1))
    return former


def everyone_around(group, *, member, convenor, moderator):
    """One person per role that the leak tests ask as: who may read what, by name."""
    return {
        "anonymous": AnonymousUser(),
        "public": UserFactory(),
        "member": member,
        "observer": member_of(group, role="observer"),
        "former member": former_member_of(group),
        "convenor": convenor,
        "moderator": moderator,
    }


def forget(*users):
    """Drop the memberships a user object has cached, as a new request would."""
    for user in users:
        for key in ("_group_memberships", "_consultation_memberships"):
            user.__dict__.pop(key, None)
