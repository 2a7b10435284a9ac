"""`manage.py load_demo`: the demo consultation, its people, idempotency and refusals."""

import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page, PageLogEntry, Revision, Site

from consultation.demo import content
from consultation.models import (
    ConsultationIndexPage,
    ConsultationPage,
    ConsultationStageDates,
    PolicyPaperPage,
    RecordEntry,
    SectionPage,
)
from consultation.rules import MODERATORS_GROUP
from core.models import ContentPage, HomePage
from tests.support.trees import build_site_tree
from workinggroups.models import Membership, Organisation, WorkingGroup

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
User = get_user_model()

GROUP_ACCOUNTS = [
    f"{prefix}-{suffix}"
    for prefix in ("costs", "conditions", "safeguards")
    for suffix in ("convenor", "member1", "member2")
]
ALL_ACCOUNTS = ["editor", "moderator", "public", *GROUP_ACCOUNTS]


def load(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def demo_paper(consultation):
    return PolicyPaperPage.objects.child_of(consultation).get(slug=content.PAPER_SLUG)


def demo_sections(consultation):
    return SectionPage.objects.child_of(demo_paper(consultation)).order_by("path")


def snapshot():
    """Everything the demo creates, counted, plus each page's latest revision."""
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "log entries": PageLogEntry.objects.count(),
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "group page permissions": GroupPagePermission.objects.count(),
        "organisations": Organisation.objects.count(),
        "working groups": WorkingGroup.objects.count(),
        "memberships": Membership.objects.count(),
        "stage dates": ConsultationStageDates.objects.count(),
        "process record entries": RecordEntry.objects.count(),
        "sites": Site.objects.count(),
        "latest revisions": sorted(Page.objects.values_list("pk", "latest_revision_id")),
        "passwords": sorted(User.objects.values_list("username", "password")),
    }


# ---------------------------------------------------------------- what it builds


class TestDemoAsBuilt(TestCase):
    """One load of the demo for every test in the class; each test rolls back to it."""

    @classmethod
    def setUpTestData(cls):
        load()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        # The demo's Site was rolled back; Wagtail's cached site root paths were not.
        Site.clear_site_root_paths_cache()

    @property
    def demo(self):
        return ConsultationPage.objects.get(slug=content.CONSULTATION_SLUG)

    def test_home_page_replaces_wagtails_welcome_page_as_the_site_root(self):
        demo = self.demo
        site = Site.objects.get(is_default_site=True)
        assert isinstance(site.root_page.specific, HomePage)
        assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
        assert ConsultationIndexPage.objects.get().url == "/consultations/"
        assert ContentPage.objects.get(slug="accessibility").url == "/accessibility/"
        assert demo.url == f"/consultations/{content.CONSULTATION_SLUG}/"

    def test_consultation_is_in_working_group_review_with_dates_for_all_five_stages(self):
        demo = self.demo
        assert demo.current_stage == "review"
        dates = {row.stage: row for row in demo.stage_dates.all()}
        assert list(dates) == ["drafting", "review", "signoff", "scrutiny", "final"]
        review = dates["review"]
        assert review.starts_on <= timezone.localdate() <= review.ends_on
        starts = [dates[s].starts_on for s in ["drafting", "review", "signoff", "scrutiny", "final"]]
        assert starts == sorted(starts)
        assert set(demo.invited_groups.values_list("slug", flat=True)) == {g["slug"] for g in content.GROUPS}

    def test_the_record_opens_with_the_move_to_review_before_the_first_version(self):
        demo = self.demo
        kinds = list(
            RecordEntry.objects.filter(consultation=demo).order_by("sequence").values_list("kind", flat=True)
        )
        assert "stage_changed" in kinds and "version_published" in kinds
        assert kinds.index("stage_changed") < kinds.index("version_published")
        change = RecordEntry.objects.get(consultation=demo, kind="stage_changed")
        assert change.data["from"] == "drafting" and change.data["to"] == "review"

    def test_paper_has_ten_sections_using_every_kind_of_block(self):
        demo = self.demo
        sections = list(demo_sections(demo))
        assert [s.slug for s in sections] == [spec["slug"] for spec in content.SECTIONS]
        assert len(sections) == 10
        block_types = [block.block_type for s in sections for block in s.body]
        assert block_types.count("question") >= 5
        assert {"paragraph", "clauses", "question", "table"} <= set(block_types)
        tables = [block.value for s in sections for block in s.body if block.block_type == "table"]
        assert all(table["caption"] for table in tables)

    def test_one_section_is_restricted_with_a_category_reason_and_review_date(self):
        demo = self.demo
        restricted = demo_sections(demo).filter(restricted=True)
        assert restricted.count() == 1
        section = restricted.get()
        assert section.slug == content.RESTRICTED_SECTION_SLUG
        assert section.restriction_category == "security"
        assert "fraud" in section.restriction_reason
        assert section.restriction_review_on is not None

    def test_pages_are_published_through_revisions_by_the_editor(self):
        demo = self.demo
        editor = User.objects.get(username="editor")
        for page in [demo, demo_paper(demo), *demo_sections(demo)]:
            assert page.live and page.last_published_at is not None, page
            assert page.live_revision is not None and page.live_revision.user == editor, page
            assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
        for page in [
            *HomePage.objects.all(),
            *ContentPage.objects.all(),
            *ConsultationIndexPage.objects.all(),
        ]:
            assert page.live and page.last_published_at is not None

    def test_demo_accounts_sign_in_with_the_published_password_and_are_verified(self):
        for username in ALL_ACCOUNTS:
            user = User.objects.get(username=username)
            assert user.check_password("open-policy-demo"), username
            assert user.email_verified, username
            assert user.email.endswith("@example.org")

    def test_each_group_has_a_convenor_and_two_members_speaking_for_organisations(self):
        for spec in content.GROUPS:
            group = WorkingGroup.objects.get(slug=spec["slug"])
            current = Membership.objects.current().filter(group=group, role__in=["convenor", "member"])
            prefix = spec["slug"].split("-")[0]
            roles = {m.user.username: m.role for m in current}
            # Other features' demo steps may add observers or former members; these three take part.
            assert roles == {
                f"{prefix}-convenor": "convenor",
                f"{prefix}-member1": "member",
                f"{prefix}-member2": "member",
            }
        kinds = set(Organisation.objects.values_list("kind", flat=True))
        assert {"charity", "think_tank", "academic"} <= kinds
        independents = Membership.objects.filter(organisation__isnull=True)
        assert independents.exists()
        assert all(m.organisation_name == "Independent" for m in independents)

    def test_editor_edits_and_publishes_the_consultation_but_not_the_rest_of_the_site(self):
        demo = self.demo
        editor = User.objects.get(username="editor")
        assert editor.has_perm("wagtailadmin.access_admin")
        assert editor.groups.filter(name="Editors").exists()
        for page in [demo, demo_paper(demo), *demo_sections(demo)]:
            permissions = page.permissions_for_user(editor)
            assert permissions.can_edit() and permissions.can_publish(), page
        for page in [*HomePage.objects.all(), *ContentPage.objects.all()]:
            assert not page.permissions_for_user(editor).can_publish(), page

    def test_moderator_moderates_and_reaches_the_admin(self):
        moderator = User.objects.get(username="moderator")
        assert moderator.groups.filter(name=MODERATORS_GROUP).exists()
        assert moderator.has_perm("wagtailadmin.access_admin")
        assert moderator.has_perm("consultation.moderate")
        for username in ["editor", "public", *GROUP_ACCOUNTS]:
            assert not User.objects.get(username=username).has_perm("consultation.moderate"), username

    def test_members_may_take_part_in_review_and_the_public_and_editor_may_not(self):
        demo = self.demo
        section = demo_sections(demo).get(slug="safeguards")
        for username in GROUP_ACCOUNTS:
            user = User.objects.get(username=username)
            assert user.has_perm("consultation.comment_section", section), username
            assert user.has_perm("consultation.react_section", section), username
        for username in ["public", "editor", "moderator"]:
            assert not User.objects.get(username=username).has_perm("consultation.comment_section", section)
        public = User.objects.get(username="public")
        assert not public.groups.exists() and not public.memberships.exists()
        assert not public.has_perm("wagtailadmin.access_admin")
        for username in GROUP_ACCOUNTS:
            assert not User.objects.get(username=username).has_perm("wagtailadmin.access_admin"), username

    def test_demo_pages_serve_and_the_restricted_body_stays_hidden(self):
        client, demo = self.client, self.demo
        paper = demo_paper(demo)
        html = client.get(paper.url).content.decode()
        for spec in content.SECTIONS:
            assert spec["title"] in html
        assert content.RESTRICTED_BODY_SENTENCE not in html
        restricted = demo_sections(demo).get(slug=content.RESTRICTED_SECTION_SLUG)
        section_html = client.get(restricted.get_permalink(), follow=True).content.decode()
        assert restricted.restriction_reason in section_html
        assert content.RESTRICTED_BODY_SENTENCE not in section_html
        assert client.get("/").status_code == 200
        assert "Open Policy" in client.get("/").content.decode()
        statement = client.get("/accessibility/").content.decode()
        assert "WCAG" in statement and "2.2" in statement and "axe-core" in statement

    def test_running_it_twice_changes_nothing(self):
        before = snapshot()

        output = load()

        assert snapshot() == before
        assert "nothing changed" in output

    def test_a_second_run_keeps_an_editors_changes(self):
        demo = self.demo
        section = demo_sections(demo).get(slug="safeguards")
        section.title = "Safeguards, as revised"
        section.save_revision().publish()

        load()

        assert SectionPage.objects.get(pk=section.pk).title == "Safeguards, as revised"
        assert demo_sections(demo).filter(slug="safeguards").count() == 1


# ---------------------------------------------------------------- loading conditions


def test_if_empty_loads_into_an_empty_database():
    output = load("--if-empty")

    assert ConsultationPage.objects.filter(slug=content.CONSULTATION_SLUG).exists()
    assert "Demo data loaded" in output


def test_if_empty_leaves_a_database_with_a_consultation_alone():
    build_site_tree()
    before = snapshot()

    output = load("--if-empty")

    assert snapshot() == before
    assert not User.objects.filter(username="editor").exists()
    assert "not loaded" in output


def test_a_failing_step_leaves_nothing_half_built(monkeypatch):
    from consultation.demo import builder
    from consultation.management.commands import load_demo

    def broken_step(demo):
        raise RuntimeError("step failed")

    monkeypatch.setattr(load_demo, "STEPS", [*builder.FOUNDATION_STEPS, broken_step])
    before = snapshot()

    with pytest.raises(RuntimeError):
        load()

    assert snapshot() == before


# ---------------------------------------------------------------- refusals


def test_refuses_when_settings_do_not_allow_demo_data(settings):
    del settings.DEMO_DATA_ALLOWED
    before = snapshot()

    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        load()

    assert snapshot() == before


def test_refuses_when_demo_data_is_switched_off(settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="refuses to run"):
        load()

    assert not User.objects.filter(username="editor").exists()


def test_refuses_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),  # production refuses a weak key before anything else
        "ALLOWED_HOSTS": "policy.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    env.pop("REDIS_URL", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "refuses to run under production settings" in result.stderr
    assert not (tmp_path / "prod.sqlite3").exists()
