"""Shared set-up for the proposal tests: a paper with invited groups, members, an editor."""

from consultation.models import SectionPage
from consultation.proposals.services import proposal_create
from consultation.reactions.services import reaction_set
from tests.consultation.test_restrictions import make_editor
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WorkingGroupFactory,
    build_site_tree,
)

GROUP_NAMES = ("Civil society", "Local government", "Researchers")
CURRENT = "Councils must share data with the department every quarter."


def member_of(group, *, role="member", organisation=None, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(
        group=group,
        user=user,
        role=role,
        organisation=organisation or OrganisationFactory(name=f"{group.name} organisation"),
    )
    return user


def proposal_tree(*, stage="review", sections=3, per_group=4):
    """Three invited groups with `per_group` members each, an editor, and a first section
    whose wording is one known sentence."""
    groups = [WorkingGroupFactory(name=name, slug=name.lower().replace(" ", "-")) for name in GROUP_NAMES]
    tree = build_site_tree(sections=sections, stage=stage, groups=groups)
    tree["groups"] = groups
    tree["members"] = [[member_of(group) for _ in range(per_group)] for group in groups]
    tree["editor"] = make_editor(tree["consultation"])
    section = tree["sections"][0]
    section.body = [("paragraph", f"<p>{CURRENT}</p>")]
    section.save_revision().publish()
    tree["sections"][0] = SectionPage.objects.get(pk=section.pk)
    return tree


def propose(author, section, *, kind="replacement", text="New wording.", rationale="Because it is clearer."):
    return proposal_create(author=author, section=section, kind=kind, text=text, rationale=rationale)


def react(users, target, choice):
    for user in users:
        reaction_set(user=user, target=target, choice=choice)


def fresh(page):
    return type(page).objects.get(pk=page.pk)
