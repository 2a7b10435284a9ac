"""Roles that mean one thing: a comment moderator moderates comments and nothing else;
an editor edits the consultations they run and no other.

Also run against a site as it was before migration 0010 (Wagtail's default
"Moderators" and "Editors" groups holding the root page, the moderator in
"Moderators"): after the migration's forward step the answers are the same.
"""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Page

from consultation.models import (
    ConsultationPage,
    PolicyPaperPage,
    ProposalKind,
    RestrictionCategory,
    SectionPage,
)
from consultation.proposals.services import proposal_create
from consultation.rules import MODERATORS_GROUP
from tests.support.factories import UserFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import another_consultation, groups_tree

pytestmark = pytest.mark.django_db

roles_migration = importlib.import_module("consultation.migrations.0010_roles_that_mean_one_thing")


@pytest.fixture
def site():
    tree = groups_tree(stage="signoff", groups=1, sections=1)
    section = SectionPage.objects.get(pk=tree["sections"][0].pk)
    section.restricted = True
    section.restriction_category = RestrictionCategory.SECURITY
    section.restriction_reason = "Names a site."
    section.restriction_review_on = date(2027, 1, 1)
    section.save_revision().publish()
    author = member_of(tree["groups"][0])
    open_section = SectionPage(title="Open", slug="open")
    tree["paper"].add_child(instance=open_section)
    open_section.save_revision().publish()
    tree["proposal"] = proposal_create(
        author=author, section=open_section, kind=ProposalKind.REPLACEMENT, text="New.", rationale="Why."
    )
    tree["restricted_section"] = SectionPage.objects.get(pk=section.pk)
    return tree


def moderator_refusals(tree, moderator):
    paper = PolicyPaperPage.objects.get(pk=tree["paper"].pk)
    consultation = ConsultationPage.objects.get(pk=tree["consultation"].pk)
    asked = {
        "moderate comments": moderator.has_perm("consultation.moderate"),
        "read restricted text": moderator.has_perm("consultation.view_body", tree["restricted_section"]),
        "move a stage": moderator.has_perm("consultation.move_stage", consultation),
        "freeze the report": moderator.has_perm("consultation.freeze_report", paper),
        "publish a version": moderator.has_perm("consultation.publish_version", paper),
        "respond to feedback": moderator.has_perm("consultation.respond", paper),
        "decide a proposal": moderator.has_perm("consultation.decide_proposal", tree["proposal"]),
        "edit the paper in Wagtail": paper.permissions_for_user(moderator).can_edit(),
        "publish the section in Wagtail": tree["restricted_section"]
        .permissions_for_user(moderator)
        .can_publish(),
    }
    return asked


EXPECTED_MODERATOR = {
    "moderate comments": True,
    "read restricted text": False,
    "move a stage": False,
    "freeze the report": False,
    "publish a version": False,
    "respond to feedback": False,
    "decide a proposal": False,
    "edit the paper in Wagtail": False,
    "publish the section in Wagtail": False,
}


def test_a_comment_moderator_moderates_and_does_nothing_else(site):
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    assert moderator_refusals(site, moderator) == EXPECTED_MODERATOR


def test_a_moderator_cannot_reach_the_editors_admin_views(client, site):
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    client.force_login(moderator)
    paper = site["paper"]
    for url in (
        f"/admin/consultation-report/{paper.pk}/",
        f"/admin/consultation-proposals/{site['proposal'].pk}/",
        f"/admin/pages/{paper.pk}/edit/",
    ):
        response = client.get(url)
        # Refused (403), or sent away from the admin page (302); never shown.
        assert response.status_code in (302, 403), (url, response.status_code)


def test_a_site_from_before_the_migration_gives_the_same_answers(site):
    root = Page.objects.get(depth=1)
    wagtail_moderators, _ = Group.objects.get_or_create(name="Moderators")
    wagtail_editors, _ = Group.objects.get_or_create(name="Editors")
    for group in (wagtail_moderators, wagtail_editors):
        for codename in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=Permission.objects.get(codename=codename)
            )
    old_moderator = UserFactory(username="old-moderator")
    old_moderator.groups.add(wagtail_moderators)
    old_editor = UserFactory(username="old-editor")
    old_editor.groups.add(wagtail_editors)
    assert moderator_refusals(site, old_moderator)["publish a version"]  # the problem, before

    roles_migration.forward(apps, None)

    old_moderator = type(old_moderator).objects.get(pk=old_moderator.pk)
    assert moderator_refusals(site, old_moderator) == EXPECTED_MODERATOR
    assert not old_moderator.groups.filter(name="Moderators").exists()
    old_editor = type(old_editor).objects.get(pk=old_editor.pk)
    assert not PolicyPaperPage.objects.get(pk=site["paper"].pk).permissions_for_user(old_editor).can_edit()


def test_an_editor_of_one_consultation_cannot_edit_or_run_another(site):
    editor = editor_of(site["consultation"])
    other = another_consultation(site, stage="review")
    other = ConsultationPage.objects.get(pk=other.pk)
    assert ConsultationPage.objects.get(pk=site["consultation"].pk).permissions_for_user(editor).can_edit()
    assert not other.permissions_for_user(editor).can_edit()
    assert not editor.has_perm("consultation.move_stage", other)
    assert not editor.has_perm("consultation.moderate")
