"""Editors move stages in the Wagtail admin; sign-off status is shown there. Refusals first."""

import pytest
from django.urls import reverse

from consultation.models import ConsultationPage, StageChange
from consultation.stages.admin import stage_header_button, stage_listing_button
from tests.support.contributions import sign_off
from tests.support.factories import UserFactory
from tests.support.people import editor_of
from tests.support.trees import another_consultation, groups_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return groups_tree(stage="signoff", groups=2)


def move_url(consultation):
    return reverse("consultation_stages:move", args=[consultation.pk])


def test_anonymous_is_sent_to_the_admin_sign_in(client, tree):
    response = client.get(move_url(tree["consultation"]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_people_who_cannot_publish_the_consultation_are_refused(client, tree):
    consultation = tree["consultation"]
    other = another_consultation(tree)
    refused = {
        "convenor (no admin access)": tree["convenors"][0],
        "editor without publish permission": editor_of(consultation, username="drafter", publish=False),
        "editor of another consultation": editor_of(other, username="other-editor"),
    }
    for name, user in refused.items():
        client.force_login(user)
        response = client.post(move_url(consultation), {"to_stage": "review", "reason": "Because."})
        assert response.status_code in (302, 403), name
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"] or response["Location"] == "/admin/", name
    assert ConsultationPage.objects.get(pk=consultation.pk).current_stage == "signoff"
    assert not StageChange.objects.exists()


def test_editor_sees_signoff_status_and_is_blocked_then_overrides_with_a_reason(client, tree):
    consultation = tree["consultation"]
    sign_off(tree, 0)
    waiting = tree["groups"][1].name
    client.force_login(editor_of(consultation))

    page = client.get(move_url(consultation)).text
    assert "Waiting for a position from" in page and waiting in page
    assert "Not yet recorded" in page and "Endorse" in page
    assert 'name="override"' in page

    response = client.post(move_url(consultation), {"to_stage": "scrutiny", "reason": ""})
    assert response.status_code == 200
    assert "Public scrutiny cannot open" in response.text
    assert ConsultationPage.objects.get(pk=consultation.pk).current_stage == "signoff"

    response = client.post(move_url(consultation), {"to_stage": "scrutiny", "override": "on", "reason": ""})
    assert "Give the reason" in response.text
    assert not StageChange.objects.exists()

    response = client.post(
        move_url(consultation),
        {"to_stage": "scrutiny", "override": "on", "reason": "Ministerial deadline."},
        follow=True,
    )
    assert "moved to Public scrutiny" in response.text
    change = StageChange.objects.get()
    assert (
        change.override and change.missing_signoffs == [waiting] and change.reason == "Ministerial deadline."
    )
    assert "Ministerial deadline." in response.text  # the history table


def test_only_neighbouring_stages_are_offered(client, tree):
    client.force_login(editor_of(tree["consultation"]))
    page = client.get(move_url(tree["consultation"])).text
    assert 'value="scrutiny"' in page and 'value="review"' in page
    assert 'value="final"' not in page and 'value="drafting"' not in page


def test_overview_lists_only_consultations_the_editor_may_move(client, tree):
    other = another_consultation(tree)
    other.title = "Someone else's consultation"
    other.save()
    client.force_login(editor_of(tree["consultation"]))
    page = client.get(reverse("consultation_stages:overview")).text
    assert tree["consultation"].title in page
    assert "Someone else" not in page


def test_move_stage_button_appears_for_publishers_on_consultation_pages_only(tree):
    editor = editor_of(tree["consultation"])
    drafter = editor_of(tree["consultation"], username="drafter", publish=False)
    for hook in (stage_header_button, stage_listing_button):
        assert [b.label for b in hook(page=tree["consultation"], user=editor)] == ["Move stage"]
        assert list(hook(page=tree["consultation"], user=drafter)) == []
        assert list(hook(page=tree["paper"], user=editor)) == []
        assert list(hook(page=tree["consultation"], user=UserFactory())) == []


def test_the_page_editor_has_no_stage_field_and_offers_the_move_button(client, tree):
    consultation = tree["consultation"]
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    edit_url = reverse("wagtailadmin_pages:edit", args=[consultation.pk])
    page = client.get(edit_url).text
    assert 'name="current_stage"' not in page
    assert "Move stage" in page
