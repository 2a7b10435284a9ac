"""The write path at an event's peak: a reaction POST costs a small, fixed number of
queries (the section; its paper with the consultation's stage in one query; the person;
their memberships with their voice, for the rule and the attribution; the row, one upsert;
and the tally read once for the answer)."""

import pytest
from django.conf import settings
from django.utils import timezone

from consultation.models import (
    Comment,
    ConsultationPage,
    PolicyPaperPage,
    Proposal,
    Reaction,
    SectionPage,
    Voice,
)
from consultation.models.pages import with_ancestors
from consultation.reactions.services import _comment_row, _proposal_row, reaction_set
from consultation.rules import current_memberships
from tests.support.contributions import make_comment, propose
from tests.support.factories import MembershipFactory, UserFactory
from tests.support.people import forget, member_of
from tests.support.trees import groups_tree
from workinggroups.models import Membership

pytestmark = pytest.mark.django_db

# Sessions come from the cache when there is a shared one (Redis): a query fewer.
SESSION_QUERY = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def test_a_reaction_post_costs_at_most_six_queries(client, django_assert_max_num_queries):
    tree = groups_tree(stage="review", groups=1, sections=2)
    client.force_login(member_of(tree["groups"][0]))
    warm = f"/consultation/reactions/section/{tree['sections'][1].pk}/"  # Site root paths, content types
    assert client.post(warm, {"choice": "neutral"}, HTTP_ACCEPT="application/json").status_code == 200
    url = f"/consultation/reactions/section/{tree['sections'][0].pk}/"
    # The first (an insert) and the changes (updates) alike: one INSERT … ON CONFLICT, where
    # a savepoint, a SELECT … FOR UPDATE, the write and a release were four. Was 10
    # (12 before the paper and its consultation came in one query and the session from the cache),
    # then 7 (before the voice came with the memberships).
    with django_assert_max_num_queries(6 + SESSION_QUERY):
        assert client.post(url, {"choice": "neutral"}, HTTP_ACCEPT="application/json").status_code == 200
    # The last a repeat (a double click): the upsert writes nothing, and the stored row is read back.
    for choice, repeat in (("agree", 0), ("disagree", 0), ("disagree", 1)):
        with django_assert_max_num_queries(6 + repeat + SESSION_QUERY):
            response = client.post(url, {"choice": choice}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["tally"]["counts"][choice] == 1
        assert response.json()["tally"]["counts"]["agree" if choice == "disagree" else "disagree"] == 0
    assert Reaction.objects.filter(section=tree["sections"][0]).count() == 1


def test_a_reaction_to_a_comment_costs_one_query_more_than_one_to_a_section(
    client, django_assert_max_num_queries
):
    # The comment's own row; its section, paper and consultation as a section's reaction reads
    # them (where targets are remembered, none of them: tests/consultation/test_reactions_targets.py).
    # Was 8: the comment joined to its paper and section, then the section's paper and the
    # consultation (twice) one by one.
    tree = groups_tree(stage="review", groups=2, sections=2)
    comment = make_comment(
        paper=tree["paper"], section=tree["sections"][0], author=member_of(tree["groups"][1])
    )
    client.force_login(member_of(tree["groups"][0]))
    warm = f"/consultation/reactions/section/{tree['sections'][1].pk}/"  # Site root paths, content types
    assert client.post(warm, {"choice": "neutral"}, HTTP_ACCEPT="application/json").status_code == 200
    url = f"/consultation/reactions/comment/{comment.pk}/"
    for choice in ("agree", "disagree"):
        with django_assert_max_num_queries(7 + SESSION_QUERY):
            response = client.post(url, {"choice": choice}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["tally"]["counts"][choice] == 1
    assert Reaction.objects.get(target_kind="comment").choice == "disagree"


def test_with_ancestors_gives_the_stored_paper_and_consultation_in_one_query(django_assert_num_queries):
    tree = groups_tree(stage="review", groups=1, sections=1)
    section = SectionPage.objects.get(pk=tree["sections"][0].pk)
    with django_assert_num_queries(1):
        with_ancestors(section)
        paper, consultation = section.paper, section.paper.consultation
        assert consultation.current_stage == "review"
    assert paper == PolicyPaperPage.objects.get(pk=tree["paper"].pk)
    stored = ConsultationPage.objects.get(pk=tree["consultation"].pk)
    assert consultation.pk == stored.pk and consultation.path == stored.path
    # The consultation's other fields are deferred, never defaults: read on first use.
    with django_assert_num_queries(1):
        assert consultation.title == stored.title


def test_memberships_compiled_once_are_those_the_orm_reads_with_their_groups_and_voice(
    django_assert_num_queries,
):
    tree = groups_tree(stage="review", groups=2, sections=1)
    person = member_of(tree["groups"][0], organisation="Org One")
    MembershipFactory(group=tree["groups"][1], user=person, left_at=timezone.now())  # ended: not current
    consultation = tree["consultation"]
    expected = list(
        Membership.objects.current().filter(user=person, group__consultations=consultation).order_by("pk")
    )
    for voice in (None, tree["groups"][0]):
        if voice is not None:
            Voice.objects.create(consultation=consultation, user=person, group=voice)
        forget(person)
        with django_assert_num_queries(1):
            found = current_memberships(person, consultation)
            rows = [
                (m.pk, m.role, m.joined_at, m.left_at, m.group.name, m.organisation.name, m.voice_group_id)
                for m in found
            ]
        assert rows == [
            (m.pk, m.role, m.joined_at, m.left_at, m.group.name, "Org One", voice and voice.pk)
            for m in expected
        ]
    assert current_memberships(UserFactory(), consultation) == []


def test_a_repeated_choice_gives_back_the_stored_reaction_as_the_orm_reads_it():
    tree = groups_tree(stage="review", groups=1, sections=1)
    person = member_of(tree["groups"][0])
    section = tree["sections"][0]
    first = reaction_set(user=person, target=section, choice="agree")
    again = reaction_set(user=person, target=section, choice="agree")
    stored = Reaction.objects.get(pk=first.pk)
    fields = [f.attname for f in Reaction._meta.concrete_fields]
    assert [getattr(again, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert again.is_member is True and again.working_group == tree["groups"][0]


def test_a_comment_compiled_once_is_the_comment_the_orm_reads(django_assert_num_queries):
    tree = groups_tree(stage="review", groups=1, sections=1)
    comment = make_comment(
        paper=tree["paper"], section=tree["sections"][0], author=member_of(tree["groups"][0])
    )
    Comment.objects.filter(pk=comment.pk).update(hidden_at=timezone.now(), organisation_name="Org One")
    stored = Comment.objects.get(pk=comment.pk)
    with django_assert_num_queries(1):
        (found,) = _comment_row(comment_id=comment.pk)
    fields = [f.attname for f in Comment._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert found.hidden_at is not None and found.organisation_name == "Org One"
    with django_assert_num_queries(0):  # comments-xtd's manager joins these, as the ORM's query does
        assert (found.user.username, found.content_type.model) == (stored.user.username, "sectionpage")
    assert _comment_row(comment_id=comment.pk + 1000) == []


def test_a_proposal_compiled_once_is_the_proposal_the_orm_reads(django_assert_num_queries):
    tree = groups_tree(stage="review", groups=1, sections=1)
    proposal = propose(member_of(tree["groups"][0]), tree["sections"][0])
    stored = Proposal.objects.get(pk=proposal.pk)
    with django_assert_num_queries(1):
        (found,) = _proposal_row(proposal_id=proposal.pk)
    fields = [f.attname for f in Proposal._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert _proposal_row(proposal_id=proposal.pk + 1000) == []
