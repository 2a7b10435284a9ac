"""The reaction counts (consultation_reactioncount) are kept by database triggers in each
reaction's own transaction: whatever writes reactions, they must equal a fresh GROUP BY
over the reactions, key for key, with no key left at zero. Run on SQLite and on
PostgreSQL (the triggers differ: row triggers there, statement triggers here)."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from consultation.models import Comment, PolicyPaperPage, Reaction, ReactionCount
from consultation.privacy.services import REMOVE, account_erase
from consultation.reactions.selectors import reaction_tallies
from consultation.reactions.services import reaction_set, reaction_withdraw
from consultation.report.builder import report_build
from tests.support.concurrency import in_threads
from tests.support.people import member_of
from tests.support.trees import build_site_tree, reaction_tree

pytestmark = pytest.mark.django_db

KEY = [
    "paper_id",
    "section_id",
    "target_kind",
    "target_id",
    "text_hash",
    "paper_version",
    "choice",
    "working_group_id",
    "is_member",
]


def fresh():
    """The counts a GROUP BY over the reactions gives now."""
    return {
        tuple(row[k] for k in KEY): row["n"]
        for row in Reaction.objects.values(*KEY).annotate(n=Count("id")).order_by()
    }


def kept():
    rows = ReactionCount.objects.values_list(*KEY, "reactions")
    return {tuple(row[:-1]): row[-1] for row in rows}


def assert_kept():
    counts = kept()
    assert 0 not in counts.values()  # a key whose reactions are all gone is deleted
    assert counts == fresh()


def test_the_services_set_change_and_withdraw_and_the_counts_follow():
    tree = reaction_tree(sections=2)
    first, second = tree["sections"]
    people = [member_of(tree["groups"][0]) for _ in range(3)] + [member_of(tree["groups"][1])]
    assert_kept()
    for person in people:
        reaction_set(user=person, target=first, choice="agree")
    reaction_set(user=people[0], target=second, choice="neutral")
    assert_kept()
    assert kept()[(tree["paper"].pk, first.pk, "section", first.pk, first.wording_hash,
                   tree["paper"].version_label, "agree", tree["groups"][0].pk, True)] == 3  # fmt: skip
    # A change moves one reaction from one key to another; the same choice again moves nothing.
    reaction_set(user=people[1], target=first, choice="disagree")
    reaction_set(user=people[2], target=first, choice="agree")
    assert_kept()
    reaction_withdraw(user=people[1], target=first)
    reaction_withdraw(user=people[0], target=second)  # the last reaction of its key
    assert_kept()
    # A change and a withdrawal rolled back leave the counts as they were.
    before = kept()
    with pytest.raises(RuntimeError), transaction.atomic():
        reaction_set(user=people[3], target=first, choice="disagree")
        reaction_withdraw(user=people[0], target=first)
        assert kept() != before
        raise RuntimeError
    assert kept() == before
    assert_kept()


def test_bulk_writes_deletes_cascades_and_erasure_keep_the_counts_equal_to_a_group_by():
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=3, comments=40, reactions=600, groups=3, seed=8)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    assert Reaction.objects.count() == 600
    assert_kept()  # bulk inserts
    # Bulk changes of the choice and of the group snapshot (one UPDATE for many rows).
    Reaction.objects.filter(target_kind="section", choice="neutral").update(choice="agree")
    some = Reaction.objects.filter(target_kind="comment").order_by("pk").values("pk")[:15]
    Reaction.objects.filter(pk__in=some).update(choice="disagree")
    assert_kept()
    # One row saved through the ORM.
    reaction = Reaction.objects.filter(target_kind="section").order_by("pk").first()
    reaction.choice = "disagree"
    reaction.save()
    assert_kept()
    # A bulk delete, then a working group deleted: its reactions become the public's (SET NULL).
    Reaction.objects.filter(target_kind="comment", choice="agree").order_by("pk")[:1].get().delete()
    Reaction.objects.filter(target_kind="comment", choice="agree").delete()
    assert_kept()
    group = paper.consultation.invited_groups.order_by("pk").first()
    group_id = group.pk
    assert Reaction.objects.filter(working_group_id=group_id).exists()
    group.delete()
    assert not Reaction.objects.filter(working_group_id=group_id).exists()
    assert_kept()
    # Erasure at the person's request with their reactions removed, and an account deleted outright.
    erased, deleted = (
        r.user for r in Reaction.objects.filter(target_kind="section").order_by("user_id").distinct()[:2]
    )
    account_erase(user=erased, reactions=REMOVE)
    assert not Reaction.objects.filter(user=erased).exists()
    deleted.delete()
    assert_kept()
    # A section deleted (its comments first: they protect it), its reactions going by cascade.
    section = paper.get_children().first().specific
    Comment.objects.filter(section=section).delete()
    assert Reaction.objects.filter(section=section).exists()
    section.delete()
    assert_kept()
    Reaction.objects.filter(paper=paper).delete()
    assert not ReactionCount.objects.exists()


def test_tallies_read_from_the_counts_are_those_of_the_reactions():
    """`reaction_tallies` reads the counts: the same figures as counting the reactions one by one."""
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=2, comments=30, reactions=300, groups=2, seed=9)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    tallies = reaction_tallies(paper_id=paper.pk)
    expected = {}
    for reaction in Reaction.objects.filter(paper=paper):
        zero = {"agree": 0, "disagree": 0, "neutral": 0, "groups": {}}
        counts = expected.setdefault(reaction.target_key, zero)
        counts[reaction.choice] += 1
        if reaction.working_group_id is not None:
            by_group = counts["groups"].setdefault(str(reaction.working_group_id), {})
            by_group[reaction.choice] = by_group.get(reaction.choice, 0) + 1
    assert set(tallies) == set(expected)
    for key, counts in expected.items():
        tally = tallies[key]
        assert {c: tally["counts"].get(c, 0) for c in ("agree", "disagree", "neutral")} == {
            c: counts[c] for c in ("agree", "disagree", "neutral")
        }
        by_group = {g: {c: n for c, n in v.items() if n} for g, v in tally["by_group"].items()}
        assert by_group == counts["groups"]


def test_the_reports_figures_are_the_reactions_counted_one_by_one():
    """The report's figures come from the counts; counted here from the reactions themselves."""
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=3, comments=30, reactions=450, groups=3, seed=10)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    # A change and a withdrawal after the bulk insert, so the counts have moved since.
    Reaction.objects.filter(target_kind="section", choice="neutral").order_by("pk")[:1].get().delete()
    changed = Reaction.objects.filter(target_kind="section", choice="agree").order_by("pk").first()
    changed.choice = "disagree"
    changed.save()
    snapshot = report_build(paper=paper)
    for section in snapshot["sections"]:
        reactions = Reaction.objects.filter(target_kind="section", target_id=section["id"])
        overall = {c: reactions.filter(choice=c).count() for c in ("agree", "disagree", "neutral")}
        assert {c: section["overall"][c] for c in overall} == overall
        assert section["overall"]["seen"] == reactions.count()
        for row in section["groups"]:
            mine = (
                reactions.filter(is_member=False)
                if row["kind"] == "public"
                else reactions.filter(working_group_id=int(row["key"].removeprefix("group-")))
            )
            assert [row[c] for c in ("agree", "disagree", "neutral")] == [
                mine.filter(choice=c).count() for c in ("agree", "disagree", "neutral")
            ]
    assert snapshot["participation"]["reactions"] == Reaction.objects.filter(target_kind="section").count()


@pytest.mark.django_db(transaction=True)
def test_opposite_changes_at_the_same_moment_neither_deadlock_nor_miscount():
    """On PostgreSQL each thread has its own connection: half the members go from agree to
    disagree while the other half go the other way, so their transactions want the same two
    counts rows in opposite orders; the triggers take them in key order, so none deadlocks."""
    tree = reaction_tree(sections=1)
    section = tree["sections"][0]
    members = [member_of(tree["groups"][0]) for _ in range(8)]
    for i, member in enumerate(members):
        reaction_set(user=member, target=section, choice="agree" if i % 2 else "disagree")

    def flip(i):
        for round_ in range(6):
            choice = ["agree", "disagree"][(i + round_) % 2]
            with transaction.atomic():
                reaction_set(user=members[i], target=section, choice=choice)
        return True

    assert in_threads(len(members), flip) == [True] * len(members)
    assert_kept()
    tally = reaction_tallies(paper_id=tree["paper"].pk, section_ids=[section.pk])[f"section:{section.pk}"]
    assert tally["counts"] == {"agree": 4, "disagree": 4, "neutral": 0}
