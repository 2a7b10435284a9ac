"""Builds the demo consultation, step by step.

Each step is a function taking the `Demo` built so far. A step looks up what
already exists and creates only what is missing, so running the whole list
twice changes nothing. After the foundation steps, `demo` holds the pages,
groups and people a feature's own step needs (see `load_demo.STEPS`).

Pages are created the way an editor creates them: added as drafts, then a
revision is saved and published, so the admin shows their history and
`last_published_at` is set.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.log_actions import log
from wagtail.models import GroupPagePermission, Locale, Page, Site

from consultation.demo import content
from consultation.models import (
    ConsultationIndexPage,
    ConsultationPage,
    ConsultationStageDates,
    PolicyPaperPage,
    SectionPage,
    StageChange,
)
from consultation.rules import MODERATORS_GROUP as MODERATORS
from consultation.stages.services import consultation_move_stage
from core.models import ContentPage, HomePage
from workinggroups.models import Membership, Organisation, WorkingGroup

# "Editors" is Wagtail's group, stripped of its root-page permissions by
# consultation migration 0010: it edits only the consultations granted below.
# Comment moderators are the project's own group (rules.MODERATORS_GROUP).
EDITORS_GROUP = "Editors"
MODERATORS_GROUP = MODERATORS
# What the paper's editors may do on the consultation's pages.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


@dataclass
class Demo:
    """What the demo holds so far; each step reads it and fills in its part."""

    today: datetime.date
    users: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)
    home: HomePage | None = None
    accessibility: ContentPage | None = None
    index: ConsultationIndexPage | None = None
    consultation: ConsultationPage | None = None
    paper: PolicyPaperPage | None = None
    created: list = field(default_factory=list)

    @property
    def editor(self):
        return self.users["editor"]

    @property
    def moderator(self):
        return self.users["moderator"]

    def stage_dates(self, stage):
        """(starts_on, ends_on) of a stage, as the demo publishes them."""
        for key, start, end in content.STAGE_OFFSETS:
            if key == stage:
                return self._day(start), self._day(end)
        raise KeyError(stage)

    def stage_start(self, stage):
        """The moment a stage began, for back-dating things that happened in it."""
        starts_on = self.stage_dates(stage)[0]
        return timezone.make_aware(datetime.datetime.combine(starts_on, datetime.time(9, 30)))

    def note(self, what):
        self.created.append(what)

    def _day(self, offset):
        return None if offset is None else self.today + datetime.timedelta(days=offset)


# ---------------------------------------------------------------- helpers


def _publish_new_page(demo, parent, page, *, user=None):
    """Add `page` under `parent` as a draft, then publish a revision of it."""
    page.live = False
    page.has_unpublished_changes = True
    parent.add_child(instance=page)
    log(instance=page, action="wagtail.create", user=user)
    # The loader acts for the editor, before their page permissions exist.
    page.save_revision(user=user, log_action=True).publish(user=user, skip_permission_checks=True)
    page.refresh_from_db()
    demo.note(f"page {page.title!r}")
    return page


def _ensure_root():
    """The tree's root and default locale; transactional tests flush both."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root")
    return root


def _move_sites(old_root, new_root):
    # Saved one by one, not with QuerySet.update(): saving a Site clears
    # Wagtail's cached site root paths, without which page URLs go stale.
    for site in Site.objects.filter(root_page=old_root):
        site.root_page = new_root
        site.save()


def _group_with_admin_access(demo, name):
    group, created = Group.objects.get_or_create(name=name)
    if created:
        demo.note(f"group {name}")
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    if not group.permissions.filter(pk=access_admin.pk).exists():
        group.permissions.add(access_admin)
        demo.note(f"admin access for {name}")
    return group


def _user(demo, username, display_name, organisation=""):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password=content.PASSWORD,
            display_name=display_name,
            organisation=organisation,
            email_verified=True,
        )
        demo.note(f"user {username}")
    demo.users[username] = user
    return user


# ---------------------------------------------------------------- steps


def build_accounts(demo):
    """The policy team's editor, a moderator and a member of the public."""
    editor = _user(demo, *content.EDITOR)
    editor.groups.add(_group_with_admin_access(demo, EDITORS_GROUP))
    moderator = _user(demo, *content.MODERATOR)
    moderator.groups.add(_group_with_admin_access(demo, MODERATORS_GROUP))
    _user(demo, *content.PUBLIC)


def build_site_pages(demo):
    """Home (the site's root, replacing Wagtail's welcome page), the accessibility
    statement and the consultations index."""
    root = _ensure_root()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=content.HOME_TITLE, slug="home", intro=content.HOME_INTRO.strip())
        # Wagtail's welcome page has the slug "home" and Sites cascade-delete with
        # their root page: park the Sites on the tree root while it is replaced.
        welcome = Page.objects.filter(
            depth=2, slug="home", content_type=ContentType.objects.get_for_model(Page)
        ).first()
        if welcome is not None and welcome.is_leaf():
            _move_sites(welcome, root)
            welcome.delete()
            demo.note("removed Wagtail's welcome page")
        home = _publish_new_page(demo, root, home)
        _move_sites(root, home)
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=content.HOME_TITLE
        )
        demo.note("default site")
    demo.home = home

    demo.accessibility = ContentPage.objects.child_of(home).filter(slug=content.ACCESSIBILITY_SLUG).first()
    if demo.accessibility is None:
        demo.accessibility = _publish_new_page(
            demo,
            home,
            ContentPage(
                title=content.ACCESSIBILITY_TITLE,
                slug=content.ACCESSIBILITY_SLUG,
                body=content.ACCESSIBILITY_BODY.strip(),
            ),
        )

    if not ContentPage.objects.child_of(home).filter(slug=content.PRIVACY_SLUG).exists():
        _publish_new_page(
            demo,
            home,
            ContentPage(
                title=content.PRIVACY_TITLE, slug=content.PRIVACY_SLUG, body=content.PRIVACY_BODY.strip()
            ),
        )

    demo.index = ConsultationIndexPage.objects.first()
    if demo.index is None:
        demo.index = _publish_new_page(
            demo,
            home,
            ConsultationIndexPage(
                title=content.INDEX_TITLE, slug=content.INDEX_SLUG, intro=content.INDEX_INTRO.strip()
            ),
        )


def build_working_groups(demo):
    """Three working groups, their convenors and members, each speaking for an organisation."""
    for name, kind, website in content.ORGANISATIONS:
        organisation, created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "website": website}
        )
        if created:
            demo.note(f"organisation {name}")
        demo.organisations[name] = organisation

    joined_at = demo.stage_start("review")
    for spec in content.GROUPS:
        group, created = WorkingGroup.objects.get_or_create(
            slug=spec["slug"],
            defaults={"name": spec["name"], "remit": spec["remit"], "topics": spec["topics"]},
        )
        if created:
            demo.note(f"working group {group.name}")
        demo.groups[spec["slug"]] = group
        for username, display_name, role, organisation_name in spec["people"]:
            organisation = demo.organisations[organisation_name] if organisation_name else None
            user = _user(demo, username, display_name, organisation_name or "Independent expert")
            if not Membership.objects.current().filter(group=group, user=user).exists():
                Membership.objects.create(
                    group=group, user=user, organisation=organisation, role=role, joined_at=joined_at
                )
                demo.note(f"membership {username} in {group.slug}")


def build_consultation(demo):
    """The consultation in working-group review, its paper and its sections."""
    editor = demo.editor
    demo.consultation = (
        ConsultationPage.objects.child_of(demo.index).filter(slug=content.CONSULTATION_SLUG).first()
    )
    if demo.consultation is None:
        consultation = ConsultationPage(
            title=content.CONSULTATION_TITLE,
            slug=content.CONSULTATION_SLUG,
            summary=content.CONSULTATION_SUMMARY.strip(),
            run_by=content.CONSULTATION_RUN_BY,
            # Drafting until its groups are invited: open_working_group_review moves it on
            # through the stage service, so the public record shows the move.
            current_stage="drafting",
        )
        consultation.stage_dates = [
            ConsultationStageDates(stage=stage, starts_on=start, ends_on=end)
            for stage, start, end in (
                (key, *demo.stage_dates(key)) for key, _start, _end in content.STAGE_OFFSETS
            )
        ]
        consultation.invited_groups = list(demo.groups.values())
        demo.consultation = _publish_new_page(demo, demo.index, consultation, user=editor)

    demo.paper = PolicyPaperPage.objects.child_of(demo.consultation).filter(slug=content.PAPER_SLUG).first()
    if demo.paper is None:
        demo.paper = _publish_new_page(
            demo,
            demo.consultation,
            PolicyPaperPage(
                title=content.PAPER_TITLE,
                slug=content.PAPER_SLUG,
                summary=content.PAPER_SUMMARY.strip(),
                version_label=content.PAPER_VERSION,
                status=PolicyPaperPage.Status.DRAFT,
            ),
            user=editor,
        )

    existing = {s.slug: s for s in SectionPage.objects.child_of(demo.paper)}
    for spec in content.SECTIONS:
        section = existing.get(spec["slug"])
        if section is None:
            section = SectionPage(title=spec["title"], slug=spec["slug"], body=spec["body"])
            restriction = spec.get("restriction")
            if restriction:
                section.restricted = True
                section.restriction_category = restriction["category"]
                section.restriction_reason = restriction["reason"]
                section.restriction_review_on = demo.today + datetime.timedelta(
                    days=restriction["review_in_days"]
                )
            section = _publish_new_page(demo, demo.paper, section, user=editor)
        demo.sections[spec["slug"]] = section


def build_editor_permissions(demo):
    """The editor edits and publishes the consultation's pages (and nothing else new)."""
    editors = Group.objects.get(name=EDITORS_GROUP)
    for codename in EDITOR_PAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        _grant, created = GroupPagePermission.objects.get_or_create(
            group=editors, page=demo.consultation, permission=permission
        )
        if created:
            demo.note(f"{codename} on {demo.consultation.slug} for {EDITORS_GROUP}")


# The foundation, in order. Features append their own steps in load_demo.STEPS.
FOUNDATION_STEPS = [
    build_accounts,
    build_site_pages,
    build_working_groups,
    build_consultation,
    build_editor_permissions,
]


def open_working_group_review(demo):
    """Open working-group review as an editor would (once the groups are invited), so the
    consultation's public record starts with that stage change."""
    if (
        demo.consultation.current_stage != "drafting"
        or StageChange.objects.filter(consultation=demo.consultation).exists()
    ):
        return
    consultation_move_stage(consultation=demo.consultation, to_stage="review", actor=demo.editor)
    demo.note(f"stage change of {demo.consultation.slug} to working-group review")
