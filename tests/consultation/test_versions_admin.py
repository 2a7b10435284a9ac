"""Editors publish versions and respond to feedback in the Wagtail admin."""

import pytest
from django.urls import reverse

from consultation.comments.services import comment_create
from consultation.models import PaperVersion, PolicyPaperPage, RecordEntry, Response
from consultation.versions.services import version_publish
from tests.support.factories import (
    ConsultationPageFactory,
    MembershipFactory,
    PolicyPaperPageFactory,
    SectionPageFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.support.people import editor_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    group = WorkingGroupFactory()
    tree = build_site_tree(sections=2, groups=[group])
    tree["editor"] = editor_of(tree["consultation"])
    tree["member"] = MembershipFactory(group=group, role="member").user
    return tree


def versions_url(paper):
    return reverse("consultation_versions:versions", args=[paper.pk])


def respond_url(paper):
    return reverse("consultation_versions:respond", args=[paper.pk])


def test_an_editor_publishes_a_version_from_the_admin(client, tree):
    client.force_login(tree["editor"])
    page = client.get(versions_url(tree["paper"]))
    assert page.status_code == 200
    assert "Publish v1" in page.content.decode()
    response = client.post(
        versions_url(tree["paper"]), {"change_note": "First draft for review."}, follow=True
    )
    assert response.redirect_chain[-1][0] == versions_url(tree["paper"])
    version = PaperVersion.objects.get()
    assert (version.label, version.change_note, version.published_by) == (
        "v1",
        "First draft for review.",
        tree["editor"],
    )
    assert "v1 of “" in response.content.decode() and "Publish v2" in response.content.decode()


def test_a_rejected_publish_keeps_the_note_and_says_why(client, tree):
    client.force_login(tree["editor"])
    version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.")
    response = client.post(versions_url(tree["paper"]), {"change_note": "Nothing really."})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing has changed since v1" in body
    assert "Nothing really." in body
    empty = client.post(versions_url(tree["paper"]), {"change_note": "  "})
    assert "Say what changed in this version" in empty.content.decode()
    assert PaperVersion.objects.count() == 1


def test_the_versions_page_previews_what_the_next_version_changes(client, tree):
    client.force_login(tree["editor"])
    version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.")
    section = tree["sections"][0]
    section.body = [("paragraph", "<p>Changed.</p>")]
    section.save_revision(user=tree["editor"]).publish(user=tree["editor"])
    body = client.get(versions_url(tree["paper"])).content.decode()
    assert "Since v1: 1 section changed, 0 added, 0 removed, 0 moved." in body


@pytest.mark.parametrize("who", ["reader", "member", "drafter", "other editor"])
def test_people_who_cannot_publish_the_paper_are_refused(client, tree, who):
    user = {
        "reader": UserFactory(username="reader"),
        "member": tree["member"],
        "drafter": editor_of(tree["consultation"], username="drafter", publish=False),
        "other editor": editor_of(ConsultationPageFactory(parent=tree["index"]), username="other-editor"),
    }[who]
    client.force_login(user)
    for url in (versions_url(tree["paper"]), respond_url(tree["paper"])):
        assert client.get(url).status_code in (302, 403)
        assert client.post(url, {"change_note": "Sneaky.", "target": "x"}).status_code in (302, 403)
    assert not PaperVersion.objects.exists() and not Response.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, tree):
    response = client.post(versions_url(tree["paper"]), {"change_note": "Sneaky."})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not PaperVersion.objects.exists()


def test_an_editor_responds_to_a_comment_from_the_admin(client, tree):
    comment = comment_create(author=tree["member"], target=tree["sections"][0], text="Please define 'data'.")
    v1 = version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.")
    client.force_login(tree["editor"])
    page = client.get(respond_url(tree["paper"]) + f"?comment={comment.pk}")
    assert page.status_code == 200
    assert f'value="comment:{comment.pk}" selected' in page.content.decode()
    response = client.post(
        respond_url(tree["paper"]),
        {
            "target": f"comment:{comment.pk}",
            "outcome": "accepted",
            "reason": "Defined in v1.",
            "changed_in": v1.pk,
        },
    )
    assert response.status_code == 302
    saved = Response.objects.get()
    assert (saved.comment, saved.outcome, saved.changed_in) == (comment, "accepted", v1)
    assert RecordEntry.objects.filter(kind="response").count() == 1


def test_a_bad_response_keeps_the_text_and_stores_nothing(client, tree):
    client.force_login(tree["editor"])
    section = tree["sections"][0]
    response = client.post(
        respond_url(tree["paper"]),
        {"target": f"section:{section.pk}", "outcome": "", "reason": "My careful reason."},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose whether the point was accepted" in body and "My careful reason." in body
    other_paper = PolicyPaperPageFactory(parent=tree["consultation"])
    foreign = SectionPageFactory(parent=other_paper)
    forged = client.post(
        respond_url(tree["paper"]),
        {"target": f"section:{foreign.pk}", "outcome": "accepted", "reason": "Forged."},
    )
    assert forged.status_code == 200
    assert not Response.objects.exists()


def test_paper_and_section_editors_see_the_buttons(client, tree):
    client.force_login(tree["editor"])
    paper_edit = client.get(reverse("wagtailadmin_pages:edit", args=[tree["paper"].pk])).content.decode()
    assert versions_url(tree["paper"]) in paper_edit and respond_url(tree["paper"]) in paper_edit
    section_edit = client.get(
        reverse("wagtailadmin_pages:edit", args=[tree["sections"][0].pk])
    ).content.decode()
    assert f"{respond_url(tree['paper'])}?section={tree['sections'][0].pk}" in section_edit


def test_the_version_label_is_read_only_in_the_page_editor(client, tree):
    client.force_login(tree["editor"])
    paper = PolicyPaperPage.objects.get(pk=tree["paper"].pk)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[paper.pk]))
    assert 'name="version_label"' not in edit.content.decode()


def test_a_paper_with_versions_cannot_be_deleted_from_the_admin(client, tree):
    version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.")
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    url = reverse("wagtailadmin_pages:delete", args=[tree["paper"].pk])
    response = client.post(url, follow=True)
    assert "has published versions" in response.content.decode()
    assert PolicyPaperPage.objects.filter(pk=tree["paper"].pk).exists()
