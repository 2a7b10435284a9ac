"""A reaction POST remembers the section it names, with its paper and consultation, while
the page cache's `site` generation stands (consultation/reactions/services.py): the next
reaction to that section reads neither again, and any change to the pages is seen at once."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from consultation.reactions import services
from consultation.stages.services import consultation_move_stage
from tests.support.people import member_of
from tests.support.trees import reaction_tree, restrict

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fresh_cache"),
    pytest.mark.usefixtures("forgotten_targets"),
]


@pytest.fixture
def forgotten_targets():
    services._section_targets.clear()
    with override_settings(REACTION_TARGETS_REMEMBERED=True):
        yield
    services._section_targets.clear()


@pytest.fixture
def tree():
    return reaction_tree(sections=2)


@pytest.fixture
def signed_in(client, tree):
    client.force_login(member_of(tree["groups"][0]))
    return client


def react(client, section, choice="agree"):
    return client.post(
        f"/consultation/reactions/section/{section.pk}/", {"choice": choice}, HTTP_ACCEPT="application/json"
    )


def page_queries(captured):
    return [q["sql"] for q in captured if "wagtailcore_page" in q["sql"]]


def test_a_second_reaction_to_a_section_reads_no_page(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = react(signed_in, section, "disagree")
    assert response.status_code == 200
    assert response.json()["tally"]["counts"]["disagree"] == 1
    assert page_queries(captured.captured_queries) == []


def test_a_remembered_section_is_read_again_after_its_minute_even_if_no_bump_arrived(
    signed_in, tree, monkeypatch
):
    # A bump lost to a Redis outage must not keep a section's old state for good.
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    monkeypatch.setattr(services, "_SECTION_TARGET_SECONDS", 0)  # every stored target is past its age
    with CaptureQueriesContext(connection) as captured:
        assert react(signed_in, section, "disagree").status_code == 200
    assert page_queries(captured.captured_queries)


def test_an_unpublished_section_refuses_reactions_at_once(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    section.unpublish()
    assert react(signed_in, section, "disagree").status_code == 404


def test_a_restricted_section_refuses_reactions_at_once(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    restrict(section)
    response = react(signed_in, section, "disagree")
    assert response.status_code == 403
    assert "restricted" in response.json()["error"]


def test_a_stage_change_is_obeyed_by_the_next_reaction(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    consultation_move_stage(
        consultation=tree["consultation"], to_stage="drafting", actor=None, reason="The text needs work."
    )
    response = react(signed_in, section, "disagree")
    assert response.status_code == 403
    assert "Drafting" in response.json()["error"]


def test_a_reworded_section_takes_reactions_on_its_new_wording(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    before = services._section_targets[section.pk][1].wording
    section.body = [("paragraph", "<p>Entirely new words.</p>")]
    section.save_revision().publish()
    assert react(signed_in, section, "disagree").status_code == 200
    assert services._section_targets[section.pk][1].wording not in ("", before)


def test_the_plain_form_answers_from_a_remembered_section_as_before(signed_in, tree):
    section = tree["sections"][1]
    assert react(signed_in, section).status_code == 200  # remembered now
    response = signed_in.post(f"/consultation/reactions/section/{section.pk}/", {"choice": "disagree"})
    assert response.status_code == 303
    assert response["Location"].endswith(f"#{section.anchor}")
    assert "Your reaction to section" in signed_in.get(response["Location"]).content.decode()
