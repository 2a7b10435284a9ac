"""Freezing the consensus report at the end of sign-off: stored once, never changed, recorded publicly."""

import hashlib
import json

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import GroupPagePermission, Page

from consultation.models import FrozenReport, FrozenReportError, RecordEntry, ReportPdf
from consultation.reactions.broadcast import clock
from consultation.report.services import report_freeze
from consultation.versions.services import version_publish
from tests.support.contributions import react
from tests.support.factories import UserFactory
from tests.support.trees import report_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def signoff():
    return report_scenario(stage="signoff")


def publisher_of(paper, **user_fields):
    """An editor (not a superuser) who may edit and publish the paper in the Wagtail admin."""
    user = UserFactory(is_staff=True, **user_fields)
    group = Group.objects.create(name=f"Publishers of {paper.pk}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for permission in ("add", "change", "publish"):
        GroupPagePermission.objects.create(
            group=group, page=Page.objects.get(pk=paper.pk), permission_type=permission
        )
    user.groups.add(group)
    return user


@pytest.fixture
def editor(signoff):
    return publisher_of(signoff["paper"], username="chief-editor", display_name="Chief Editor")


def frozen_urls(paper, frozen):
    base = f"{paper.url}report/frozen/{frozen.pk}/"
    return {
        "html": base,
        "json": f"{base}report.json",
        "csv": f"{base}report.csv",
        "pdf": f"{base}report.pdf",
    }


def test_freezing_stores_every_output_and_puts_its_fingerprint_in_the_public_record(
    signoff, editor, client, django_capture_on_commit_callbacks
):
    paper = signoff["paper"]
    # The PDF is laid out by a background job started on commit.
    with django_capture_on_commit_callbacks(execute=True):
        frozen = report_freeze(paper=paper, actor=editor)

    assert frozen.version_label == "v1" and frozen.frozen_by_name == "Chief Editor"
    assert frozen.json_sha256 == hashlib.sha256(frozen.snapshot_json.encode()).hexdigest()
    pdf = ReportPdf.objects.get(frozen=frozen)
    with pdf.file.open("rb") as handle:
        pdf_bytes = handle.read()
    assert pdf_bytes.startswith(b"%PDF") and pdf.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    entry = RecordEntry.objects.get(kind="report_frozen")
    assert frozen.record_entry == entry
    assert entry.consultation_id == signoff["consultation"].pk
    assert entry.data["json_sha256"] == frozen.json_sha256
    fingerprint = RecordEntry.objects.get(kind="report_pdf")
    assert fingerprint.data["pdf_sha256"] == pdf.sha256 and fingerprint.data["frozen_report"] == frozen.pk
    assert fingerprint.consultation_id == signoff["consultation"].pk and pdf.sha256 in fingerprint.summary
    assert entry.data["sections_by_classification"]["contested"] == 1
    assert paper.title in entry.summary and "v1" in entry.summary

    urls = frozen_urls(paper, frozen)
    assert client.get(urls["json"]).content.decode() == frozen.snapshot_json
    assert client.get(urls["csv"]).content.decode() == frozen.csv
    assert client.get(urls["pdf"]).content == pdf_bytes
    html = client.get(urls["html"]).content.decode()
    assert frozen.json_sha256 in html and "It never changes" in html
    # The frozen page links to its own stored files, not to the live ones.
    assert 'href="report.pdf"' in html and 'href="report.json"' in html
    assert json.loads(frozen.snapshot_json)["sections"][1]["classification"]["key"] == "contested"


def test_a_frozen_report_never_changes_while_the_live_report_moves_on(signoff, editor, client):
    paper = signoff["paper"]
    frozen = report_freeze(paper=paper, actor=editor)
    urls = frozen_urls(paper, frozen)
    before = {kind: client.get(url).content for kind, url in urls.items() if kind != "html"}

    # More reactions: Researchers come round on section 2.
    react(signoff["members"][2], signoff["sections"][1], "agree")
    clock().next(paper.pk)  # what the broadcast after commit does: the live report moves on
    after = {kind: client.get(url).content for kind, url in urls.items() if kind != "html"}
    assert after == before
    live = json.loads(client.get(f"{paper.url}report.json").content)
    assert live["sections"][1]["classification"]["key"] == "broad_consensus"
    assert json.loads(before["json"])["sections"][1]["classification"]["key"] == "contested"

    # The live report lists the frozen one beside it.
    page = client.get(f"{paper.url}report/").content.decode()
    assert f"report/frozen/{frozen.pk}/" in page


def test_the_database_layer_refuses_to_change_or_delete_a_frozen_report(signoff, editor):
    frozen = report_freeze(paper=signoff["paper"], actor=editor)
    frozen.csv = "tampered"
    with pytest.raises(FrozenReportError):
        frozen.save()
    with pytest.raises(FrozenReportError):
        frozen.delete()
    with pytest.raises(FrozenReportError):
        FrozenReport.objects.filter(pk=frozen.pk).update(csv="tampered")
    with pytest.raises(FrozenReportError):
        FrozenReport.objects.filter(pk=frozen.pk).delete()
    assert FrozenReport.objects.get(pk=frozen.pk).csv != "tampered"


def test_a_version_is_frozen_once(signoff, editor):
    report_freeze(paper=signoff["paper"], actor=editor)
    with pytest.raises(ValidationError, match="already frozen"):
        report_freeze(paper=signoff["paper"], actor=editor)
    assert FrozenReport.objects.count() == 1
    assert RecordEntry.objects.filter(kind="report_frozen").count() == 1


def _editor_without_publish(paper):
    """Can edit the paper in the admin, but not publish it."""
    user = UserFactory(is_staff=True)
    group = Group.objects.create(name="Paper drafters")
    GroupPagePermission.objects.create(
        group=group, page=Page.objects.get(pk=paper.pk), permission_type="change"
    )
    user.groups.add(group)
    return user


@pytest.mark.parametrize("who", ["anonymous", "public", "member", "convenor_member", "drafter"])
def test_only_publishing_editors_may_freeze(signoff, who):
    paper = signoff["paper"]
    actor = {
        "anonymous": lambda: AnonymousUser(),
        "public": lambda: UserFactory(),
        "member": lambda: signoff["members"][0][0],
        "convenor_member": lambda: signoff["members"][1][0],
        "drafter": lambda: _editor_without_publish(paper),
    }[who]()
    with pytest.raises(PermissionDenied):
        report_freeze(paper=paper, actor=actor)
    assert not FrozenReport.objects.exists()
    assert not RecordEntry.objects.filter(kind="report_frozen").exists()


@pytest.mark.parametrize("stage", ["drafting", "review", "scrutiny", "final"])
@pytest.mark.parametrize("superuser", [False, True])
def test_freezing_happens_only_at_sign_off_even_for_a_superuser(stage, superuser):
    tree = report_scenario(stage="review")
    consultation = tree["consultation"]
    consultation.__class__.objects.filter(pk=consultation.pk).update(current_stage=stage)
    paper = tree["paper"].__class__.objects.get(pk=tree["paper"].pk)
    actor = UserFactory(is_superuser=True, is_staff=True) if superuser else publisher_of(paper)
    with pytest.raises(ValidationError, match="end of sign-off"):
        report_freeze(paper=paper, actor=actor)
    assert not FrozenReport.objects.exists()
    assert not actor.has_perm("consultation.freeze_report", paper) or superuser


def test_a_frozen_report_is_withheld_once_a_section_in_it_is_restricted(signoff, editor, client):
    paper = signoff["paper"]
    frozen = report_freeze(paper=paper, actor=editor)
    section = signoff["sections"][1]
    section.restricted = True
    section.restriction_category = "personal_data"
    section.restriction_reason = "Names a family in an example."
    section.save_revision().publish()

    for kind, url in frozen_urls(paper, frozen).items():
        response = client.get(url)
        assert response.status_code == 403, kind
        assert b"overrides local consent" not in response.content, kind
    assert "Names a family in an example." in client.get(frozen_urls(paper, frozen)["html"]).content.decode()
    # Never altered: an editor still gets it as it was.
    client.force_login(editor)
    assert client.get(frozen_urls(paper, frozen)["json"]).content.decode() == frozen.snapshot_json


def test_a_frozen_report_of_a_paper_restricted_since_is_refused_to_the_public(signoff, editor, client):
    paper = signoff["paper"]
    frozen = report_freeze(paper=paper, actor=editor)
    paper.restricted = True
    paper.restriction_category = "legal_advice"
    paper.restriction_reason = "Under legal review."
    paper.save_revision().publish()
    for kind, url in frozen_urls(paper, frozen).items():
        assert client.get(url).status_code == 403, kind


def test_a_frozen_report_of_another_paper_is_not_found(signoff, editor, client):
    frozen = report_freeze(paper=signoff["paper"], actor=editor)
    assert client.get(f"{signoff['paper'].url}report/frozen/{frozen.pk + 1}/").status_code == 404


def test_freezing_after_a_published_version_links_the_version(signoff, editor):
    paper = signoff["paper"]
    version = version_publish(paper=paper, actor=editor, change_note="First named version.")
    frozen = report_freeze(paper=paper, actor=editor)
    assert frozen.version == version and frozen.version_label == version.label


# ---------------------------------------------------------------- the admin action


def test_an_editor_freezes_the_report_from_the_admin(signoff, editor, client):
    client.force_login(editor)
    url = f"/admin/consultation-report/{signoff['paper'].pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Freeze the report for v1" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert FrozenReport.objects.filter(paper=signoff["paper"]).count() == 1
    assert "already frozen" in client.get(url).content.decode()


def test_the_admin_freeze_page_is_refused_to_those_who_may_not_publish(signoff, client):
    url = f"/admin/consultation-report/{signoff['paper'].pk}/"
    client.force_login(_editor_without_publish(signoff["paper"]))
    assert client.post(url).status_code in (302, 403)
    client.force_login(signoff["members"][0][0])
    assert client.post(url).status_code in (302, 403)
    assert not FrozenReport.objects.exists()


def test_the_admin_explains_why_the_report_cannot_be_frozen_before_sign_off(client):
    tree = report_scenario(stage="review")
    client.force_login(publisher_of(tree["paper"]))
    page = client.get(f"/admin/consultation-report/{tree['paper'].pk}/").content.decode()
    assert "Reports are frozen at the end of sign-off" in page
    assert client.post(f"/admin/consultation-report/{tree['paper'].pk}/").status_code == 400
    assert not FrozenReport.objects.exists()
