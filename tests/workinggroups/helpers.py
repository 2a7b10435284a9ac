"""Set-up shared by the working-group, stage and sign-off tests."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

from tests.factories import (
    ConsultationPageFactory,
    MembershipFactory,
    UserFactory,
    WorkingGroupFactory,
    build_site_tree,
)
from workinggroups.models import Position
from workinggroups.services.signoffs import signoff_record


def editor_of(page, *, username="editor", publish=True):
    """A Wagtail editor with page permissions on `page`'s subtree (publish or not)."""
    group, _ = Group.objects.get_or_create(
        name=f"Editors of {page.slug} ({'publish' if publish else 'edit'})"
    )
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    codenames = ["add_page", "change_page"] + (["publish_page"] if publish else [])
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=Permission.objects.get(codename=codename)
        )
    user = UserFactory(username=username)
    user.groups.add(group)
    return user


def member_of(group, *, role="member", organisation=None, **user_fields):
    user = UserFactory(**user_fields)
    kwargs = {"organisation": organisation} if organisation is not None else {}
    MembershipFactory(group=group, user=user, role=role, **kwargs)
    return user


def groups_tree(*, stage="review", groups=2, sections=2):
    """A consultation with `groups` invited groups, each with a convenor."""
    invited = [WorkingGroupFactory() for _ in range(groups)]
    tree = build_site_tree(sections=sections, stage=stage, groups=invited)
    tree["groups"] = invited
    tree["convenors"] = [member_of(group, role="convenor") for group in invited]
    return tree


def another_consultation(tree, *, stage="review", groups=()):
    """A second consultation in the same site tree."""
    consultation = ConsultationPageFactory(parent=tree["index"], current_stage=stage)
    if groups:
        consultation.invited_groups.set(groups)
        consultation.save_revision().publish()
    return consultation


def sign_off(tree, index, position=Position.ENDORSE, statement=""):
    return signoff_record(
        group=tree["groups"][index],
        paper=tree["paper"],
        version_label=tree["paper"].version_label,
        position=position,
        statement=statement,
        actor=tree["convenors"][index],
    )


def forget(*users):
    for user in users:
        for key in ("_group_memberships", "_consultation_memberships"):
            user.__dict__.pop(key, None)
