"""Setting, changing and withdrawing reactions: one per person per target, whatever happens."""

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from consultation.models import Reaction
from consultation.reactions.broadcast import tally_changed
from consultation.reactions.selectors import reaction_tallies
from consultation.reactions.services import reaction_set, reaction_withdraw
from core.page_cache import generations
from tests.support.concurrency import in_threads
from tests.support.contributions import counted
from tests.support.factories import UserFactory
from tests.support.people import member_of
from tests.support.trees import reaction_tree


def broadcasts(callbacks):
    """The live broadcasts among on-commit callbacks (the page cache's bumps are there too)."""
    return [c for c in callbacks if getattr(c, "func", None) is tally_changed]


@pytest.fixture
def tree(db):
    return reaction_tree(sections=3)


@pytest.mark.django_db
class TestReactionSet:
    def test_refuses_people_outside_the_invited_groups_and_stores_nothing(self, tree):
        section = tree["sections"][0]
        for user in (UserFactory(), member_of(tree["groups"][0], role="observer")):
            with pytest.raises(PermissionDenied, match="only members of the invited working groups"):
                reaction_set(user=user, target=section, choice="agree")
        assert not Reaction.objects.exists()

    def test_refuses_everyone_while_drafting_with_the_reason(self):
        tree = reaction_tree(stage="drafting")
        member = member_of(tree["groups"][0])
        with pytest.raises(
            PermissionDenied, match="closed while the consultation is at the “Drafting” stage"
        ):
            reaction_set(user=member, target=tree["sections"][0], choice="agree")
        assert not Reaction.objects.exists()

    def test_refuses_an_unknown_choice_and_stores_nothing(self, tree):
        member = member_of(tree["groups"][0])
        with pytest.raises(ValidationError) as error:
            reaction_set(user=member, target=tree["sections"][0], choice="strongly agree")
        assert "Choose one of: Agree, Disagree, Neutral." in error.value.messages
        assert not Reaction.objects.exists()

    def test_stores_the_working_group_member_status_and_paper_version_at_the_time(self, tree):
        group = tree["groups"][1]
        member = member_of(group)
        paper = tree["paper"]
        reaction = reaction_set(user=member, target=tree["sections"][0], choice="agree")
        reaction.refresh_from_db()
        assert (reaction.working_group, reaction.is_member, reaction.paper_version) == (group, True, "v1")
        assert (reaction.paper, reaction.section, reaction.target_key) == (
            paper,
            tree["sections"][0],
            f"section:{tree['sections'][0].pk}",
        )

    def test_the_public_reacts_without_a_group_during_scrutiny(self):
        tree = reaction_tree(stage="scrutiny")
        citizen = UserFactory()
        observer = member_of(tree["groups"][0], role="observer")
        for user in (citizen, observer):
            reaction = reaction_set(user=user, target=tree["sections"][0], choice="disagree")
            assert (reaction.working_group, reaction.is_member) == (None, False)

    def test_choosing_again_changes_the_one_reaction_and_updates_the_snapshot(self, tree):
        member = member_of(tree["groups"][0])
        section = tree["sections"][0]
        first = reaction_set(user=member, target=section, choice="agree")
        # The label moves only when a version is published (revisions never set it).
        type(tree["paper"]).objects.filter(pk=tree["paper"].pk).update(version_label="v2")
        section = type(section).objects.get(pk=section.pk)
        second = reaction_set(user=member, target=section, choice="neutral")
        assert second.pk == first.pk
        assert Reaction.objects.get().choice == "neutral"
        assert Reaction.objects.get().paper_version == "v2"

    def test_setting_the_same_choice_again_changes_nothing_and_broadcasts_nothing(
        self, tree, django_capture_on_commit_callbacks
    ):
        member = member_of(tree["groups"][0])
        section = tree["sections"][0]
        with django_capture_on_commit_callbacks() as first:
            reaction = reaction_set(user=member, target=section, choice="agree")
        with django_capture_on_commit_callbacks() as again:
            same = reaction_set(user=member, target=section, choice="agree")
        assert len(broadcasts(first)) == 1
        assert again == []  # not even a page-cache bump
        assert same.updated_at == reaction.updated_at

    def test_a_change_makes_the_sections_cached_pages_stale_and_the_same_choice_does_not(self, tree):
        # The reaction is written with one INSERT … ON CONFLICT, not Model.save(): the page
        # cache's bumps (post_save) must still happen, and only when something changed.
        member = member_of(tree["groups"][0])
        section = tree["sections"][0]
        tags = (f"section:{section.pk}", f"paper-sections:{tree['paper'].pk}")
        reaction_set(user=member, target=section, choice="agree")
        before = generations(tags)
        reaction_set(user=member, target=section, choice="agree")
        assert generations(tags) == before
        changed = reaction_set(user=member, target=section, choice="disagree")
        after = generations(tags)
        assert all(after[tag] > before[tag] for tag in tags)
        assert changed.pk == Reaction.objects.get().pk and changed.choice == "disagree"
        assert changed.created_at == Reaction.objects.get().created_at  # kept from the insert

    def test_broadcast_is_scheduled_only_after_commit(self, tree, django_capture_on_commit_callbacks):
        member = member_of(tree["groups"][0])
        with django_capture_on_commit_callbacks() as callbacks:
            reaction_set(user=member, target=tree["sections"][0], choice="agree")
            assert Reaction.objects.count() == 1
        (callback,) = broadcasts(callbacks)
        assert callback.func.__name__ == "tally_changed"
        assert callback.keywords == {
            "paper_id": tree["paper"].pk,
            "target_key": f"section:{tree['sections'][0].pk}",
        }

    def test_a_rolled_back_transaction_leaves_no_reaction_and_schedules_nothing(
        self, tree, django_capture_on_commit_callbacks
    ):
        member = member_of(tree["groups"][0])
        with (
            django_capture_on_commit_callbacks() as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            reaction_set(user=member, target=tree["sections"][0], choice="agree")
            raise RuntimeError("the caller failed after reacting")
        assert not Reaction.objects.exists()
        assert callbacks == []

    def test_the_database_refuses_a_second_row_for_the_same_person_target_and_wording(self, tree):
        member = member_of(tree["groups"][0])
        reaction = reaction_set(user=member, target=tree["sections"][0], choice="agree")
        assert reaction.text_hash == tree["sections"][0].wording_hash != ""
        with pytest.raises(IntegrityError), transaction.atomic():
            Reaction.objects.create(
                user=member,
                paper=reaction.paper,
                section=reaction.section,
                target_kind="section",
                target_id=reaction.target_id,
                text_hash=reaction.text_hash,
                choice="disagree",
                paper_version="v1",
            )

    def test_a_reworded_section_takes_a_new_reaction_and_keeps_the_old_one(self, tree):
        member = member_of(tree["groups"][0])
        section = tree["sections"][0]
        old = reaction_set(user=member, target=section, choice="agree")
        section.body = [("paragraph", "<p>Reworded.</p>")]
        section.save_revision().publish()
        section = type(section).objects.get(pk=section.pk)
        new = reaction_set(user=member, target=section, choice="disagree")
        assert new.pk != old.pk and new.text_hash == section.wording_hash != old.text_hash
        # Withdrawing takes back the reaction to the wording shown, not the history.
        assert reaction_withdraw(user=member, target=section)
        assert list(Reaction.objects.filter(user=member).values_list("pk", "choice")) == [(old.pk, "agree")]

    def test_the_database_refuses_neutral_on_a_comment(self, tree):
        member = member_of(tree["groups"][0])
        with pytest.raises(IntegrityError), transaction.atomic():
            Reaction.objects.create(
                user=member,
                paper=tree["paper"],
                target_kind="comment",
                target_id=1,
                choice="neutral",
                paper_version="v1",
            )


@pytest.mark.django_db
class TestReactionWithdraw:
    def test_withdrawing_removes_the_reaction_and_only_that_one(self, tree):
        member, other = member_of(tree["groups"][0]), member_of(tree["groups"][1])
        section = tree["sections"][0]
        reaction_set(user=member, target=section, choice="agree")
        reaction_set(user=other, target=section, choice="agree")
        reaction_set(user=member, target=tree["sections"][1], choice="agree")
        assert reaction_withdraw(user=member, target=section) is True
        assert set(Reaction.objects.values_list("user", "target_id")) == {
            (other.pk, section.pk),
            (member.pk, tree["sections"][1].pk),
        }

    def test_withdrawing_nothing_is_harmless_and_broadcasts_nothing(
        self, tree, django_capture_on_commit_callbacks
    ):
        member = member_of(tree["groups"][0])
        with django_capture_on_commit_callbacks() as callbacks:
            assert reaction_withdraw(user=member, target=tree["sections"][0]) is False
        assert callbacks == []

    def test_withdrawing_is_refused_once_the_stage_has_closed(self, tree):
        member = member_of(tree["groups"][0])
        reaction_set(user=member, target=tree["sections"][0], choice="agree")
        consultation = tree["consultation"]
        consultation.current_stage = "final"
        consultation.save()
        member = type(member).objects.get(pk=member.pk)
        section = type(tree["sections"][0]).objects.get(pk=tree["sections"][0].pk)
        with pytest.raises(PermissionDenied):
            reaction_withdraw(user=member, target=section)
        assert Reaction.objects.count() == 1


@pytest.mark.django_db
def test_tallies_equal_a_fresh_count_after_a_random_sequence_of_changes(tree):
    rng = random.Random(20261121)
    groups = tree["groups"]
    tree["consultation"].current_stage = "scrutiny"
    tree["consultation"].save()
    people = [member_of(rng.choice(groups)) for _ in range(8)] + [UserFactory() for _ in range(4)]
    sections = [type(s).objects.get(pk=s.pk) for s in tree["sections"]]
    for step in range(300):
        user, section = rng.choice(people), rng.choice(sections)
        if rng.random() < 0.2:
            reaction_withdraw(user=user, target=section)
        else:
            reaction_set(user=user, target=section, choice=rng.choice(["agree", "disagree", "neutral"]))
        if step % 50 == 49:
            tallies = reaction_tallies(paper_id=tree["paper"].pk, section_ids=[s.pk for s in sections])
            for s in sections:
                assert tallies[f"section:{s.pk}"] == counted(tree["paper"], "section", s.pk)
    assert Reaction.objects.count() <= len(people) * len(sections)


# ---------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_identical_posts_by_one_person_store_exactly_one_reaction():
    tree = reaction_tree(sections=1)
    member = member_of(tree["groups"][0])
    section = tree["sections"][0]
    client = Client()
    client.force_login(member)
    session = client.cookies["sessionid"].value

    def post(_):
        thread_client = Client()
        thread_client.cookies["sessionid"] = session
        response = thread_client.post(
            f"/consultation/reactions/section/{section.pk}/",
            {"choice": "agree"},
            HTTP_ACCEPT="application/json",
        )
        return response.status_code, response.json()

    results = in_threads(50, post)
    assert {status for status, _ in results} == {200}
    assert Reaction.objects.count() == 1
    assert Reaction.objects.get().choice == "agree"
    # Every response reported the same, true tally.
    assert {body["tally"]["counts"]["agree"] for _, body in results} == {1}


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_different_choices_by_one_person_leave_one_reaction_with_one_of_them():
    tree = reaction_tree(sections=1)
    member = member_of(tree["groups"][0])
    section = tree["sections"][0]
    choices = ["agree", "disagree"] * 25

    def react(i):
        user = type(member).objects.get(pk=member.pk)
        return reaction_set(user=user, target=type(section).objects.get(pk=section.pk), choice=choices[i]).pk

    pks = in_threads(50, react)
    assert Reaction.objects.count() == 1
    assert set(pks) == {Reaction.objects.get().pk}
    assert Reaction.objects.get().choice in {"agree", "disagree"}
    tallies = reaction_tallies(paper_id=tree["paper"].pk, section_ids=[section.pk])
    assert tallies[f"section:{section.pk}"] == counted(tree["paper"], "section", section.pk)


@pytest.mark.django_db(transaction=True)
def test_many_people_reacting_at_once_are_all_counted():
    tree = reaction_tree(sections=1)
    members = [member_of(tree["groups"][i % 2]) for i in range(20)]
    section = tree["sections"][0]

    def react(i):
        user = type(members[i]).objects.get(pk=members[i].pk)
        reaction_set(
            user=user, target=type(section).objects.get(pk=section.pk), choice=["agree", "neutral"][i % 2]
        )

    in_threads(20, react)
    tally = reaction_tallies(paper_id=tree["paper"].pk, targets=[f"section:{section.pk}"])[
        f"section:{section.pk}"
    ]
    assert tally["counts"] == {"agree": 10, "disagree": 0, "neutral": 10}
    assert tally == counted(tree["paper"], "section", section.pk)
