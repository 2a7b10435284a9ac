"""Convenors record their group's position on the paper page; the positions are public."""

import re

import pytest
from django.urls import reverse

from consultation.models import RecordEntry
from tests.support.contributions import sign_off
from tests.support.factories import UserFactory, WorkingGroupFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import groups_tree
from workinggroups.models import Position, SignOff

pytestmark = pytest.mark.django_db


def signoff_url(tree):
    return reverse("consultation:paper_signoff", args=[tree["paper"].pk])


def test_anonymous_is_asked_to_sign_in(client):
    tree = groups_tree(stage="signoff")
    response = client.get(signoff_url(tree))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_everyone_but_an_invited_convenor_in_the_signoff_stage_is_refused(client):
    tree = groups_tree(stage="signoff")
    group = tree["groups"][0]
    refused = {
        "member": member_of(group),
        "observer": member_of(group, role="observer"),
        "convenor of an uninvited group": member_of(WorkingGroupFactory(), role="convenor"),
        "verified public": UserFactory(),
        "editor": editor_of(tree["consultation"]),
    }
    for name, user in refused.items():
        client.force_login(user)
        assert client.get(signoff_url(tree)).status_code == 403, name
        response = client.post(signoff_url(tree), {"group": group.pk, "position": "endorse"})
        assert response.status_code == 403, name
        assert "Only a convenor of a working group invited" in response.text
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("stage", ["drafting", "review", "scrutiny", "final"])
def test_the_convenor_is_refused_outside_the_signoff_stage(client, stage):
    tree = groups_tree(stage=stage)
    client.force_login(tree["convenors"][0])
    response = client.post(signoff_url(tree), {"group": tree["groups"][0].pk, "position": "endorse"})
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_missing_statement_keeps_the_text_and_saves_nothing(client):
    tree = groups_tree(stage="signoff")
    client.force_login(tree["convenors"][0])
    section = tree["sections"][0]
    response = client.post(
        signoff_url(tree),
        {
            "group": tree["groups"][0].pk,
            "position": "do_not_endorse",
            "statement": "",
            f"section_{section.pk}_position": "",
            f"section_{section.pk}_statement": "Section one ignores the costs to councils.",
        },
    )
    assert response.status_code == 400
    assert "Give a statement: it is required when you do not endorse." in response.text
    assert "Choose a position on section 1, or remove its statement." in response.text
    assert "Section one ignores the costs to councils." in response.text
    assert re.search(r'<input[^>]*value="do_not_endorse"[^>]*checked', response.text)
    assert not SignOff.objects.exists()
    assert not RecordEntry.objects.filter(kind="sign_off").exists()


def test_a_convenor_cannot_sign_for_a_group_they_do_not_convene(client):
    tree = groups_tree(stage="signoff", groups=2)
    client.force_login(tree["convenors"][0])
    response = client.post(signoff_url(tree), {"group": tree["groups"][1].pk, "position": "endorse"})
    assert response.status_code == 400
    assert not SignOff.objects.exists()


def test_convenor_records_a_position_that_shows_on_the_paper_and_consultation_pages(client):
    tree = groups_tree(stage="signoff", groups=2)
    group, convenor = tree["groups"][0], tree["convenors"][0]
    first, second = tree["sections"]
    client.force_login(convenor)
    paper_page = client.get(tree["paper"].url).text
    assert "Record your group’s position" in paper_page
    assert "0 of 2 invited working groups have recorded a position on version v1." in paper_page

    response = client.post(
        signoff_url(tree),
        {
            "group": group.pk,
            "position": "reservations",
            "statement": "We endorse, provided retention is limited to two years.",
            f"section_{first.pk}_position": "endorse",
            f"section_{second.pk}_position": "do_not_endorse",
            f"section_{second.pk}_statement": "The exemptions are too broad.",
        },
        follow=True,
    )
    assert response.status_code == 200
    signoff = SignOff.objects.get()
    assert (signoff.group, signoff.position, signoff.version_label, signoff.recorded_by) == (
        group,
        "reservations",
        "v1",
        convenor,
    )
    assert {p.section_id: p.position for p in signoff.section_positions.all()} == {
        first.pk: "endorse",
        second.pk: "do_not_endorse",
    }

    client.logout()
    paper_page = client.get(tree["paper"].url).text
    assert "1 of 2 invited working groups has recorded a position on version v1." in paper_page
    assert "Endorse with reservations" in paper_page
    assert "retention is limited to two years" in paper_page
    assert "The exemptions are too broad." in paper_page
    assert "Record your group’s position" not in paper_page
    consultation_page = client.get(tree["consultation"].url).text
    table = consultation_page.split('id="signoffs-heading"')[1]
    assert "Endorse with reservations" in table and "Not yet recorded" in table
    assert f"Waiting for a position from: {tree['groups'][1].name}." in table


def test_the_form_is_prefilled_with_the_groups_current_position(client):
    tree = groups_tree(stage="signoff")
    sign_off(tree, 0, Position.RESERVATIONS, "Earlier statement.")
    client.force_login(tree["convenors"][0])
    page = client.get(signoff_url(tree)).text
    assert "Earlier statement." in page and "Saving again replaces it" in page


def test_statement_html_is_shown_as_text_not_run(client):
    tree = groups_tree(stage="signoff")
    sign_off(tree, 0, Position.DO_NOT_ENDORSE, '<script>alert("x")</script> & more')
    page = client.get(tree["paper"].url).text
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page


def test_paper_page_queries_do_not_grow_with_groups_and_signoffs(
    client, django_assert_max_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the rendering, not the anonymous cache
    tree = groups_tree(stage="signoff", groups=2)
    sign_off(tree, 0)
    client.get(tree["paper"].url)
    with django_assert_max_num_queries(60) as small:
        client.get(tree["paper"].url)
    for _ in range(6):
        group = WorkingGroupFactory()
        tree["consultation"].invited_groups.add(group)
        tree["groups"].append(group)
        tree["convenors"].append(member_of(group, role="convenor"))
        sign_off(tree, len(tree["groups"]) - 1, Position.RESERVATIONS, "Noted.")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(tree["paper"].url).text
    assert page.count("Endorse with reservations") == 6


def test_a_group_whose_name_ends_in_s_is_named_without_a_broken_possessive(client):
    tree = groups_tree(stage="signoff")
    group = tree["groups"][0]
    group.name = "Costs and benefits"
    group.save()
    client.force_login(tree["convenors"][0])
    response = client.post(signoff_url(tree), {"group": group.pk, "position": "endorse"}, follow=True)
    assert "The position of Costs and benefits on version" in response.text
    assert "benefits’s" not in response.text and "benefits's" not in response.text
