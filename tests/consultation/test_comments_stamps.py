"""What the report reads from comments is kept in the cache under comments stamps
(consultation_commentsstamp: one per section, one per paper), which database triggers move
with every write about the page's comments. A report built with whatever the cache holds must equal one
built with the cache emptied, after every kind of write, whoever makes it (the services,
bulk updates and deletes, a change rolled back); and an unchanged section is not ranked
again. Run on SQLite and on PostgreSQL (the triggers differ), and on Redis and the
in-process cache."""

import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultation.models import Comment, CommentsStamp, PolicyPaperPage, Reaction
from consultation.reactions.services import reaction_set
from consultation.report.builder import report_build
from tests.support.concurrency import in_threads
from tests.support.contributions import add_comment
from tests.support.people import member_of
from tests.support.services import cache_clear
from tests.support.trees import reaction_tree
from workinggroups.models import Membership

pytestmark = pytest.mark.django_db


# What marks the query of the comment figures (how many comments, people, organisations).
COMMENT_FIGURES = 'AS "organisations"'


def stamps():
    return dict(CommentsStamp.objects.values_list("page_id", "stamp"))


def built(paper):
    snapshot = report_build(paper=paper)
    snapshot.pop("generated_at")
    return snapshot


def kept_equals_fresh(paper):
    """The report from what the cache keeps, checked against one built from an empty cache
    (which leaves the cache full for the next write)."""
    kept = built(paper)
    cache_clear()
    fresh = built(paper)
    assert kept == fresh
    return fresh


def quoted(snapshot):
    return {
        (section["id"], side): [c["id"] for c in section["comments"][side]]
        for section in snapshot["sections"]
        for side in ("agree", "disagree")
    }


def supports(snapshot):
    return [
        c["support"]
        for section in snapshot["sections"]
        for side in ("agree", "disagree")
        for c in section["comments"][side]
    ]


def ranking_queries(queries):
    """The sections each comment-ranking query ranked."""
    ranked = []
    for query in queries:
        if "ROW_NUMBER" in query["sql"]:
            found = re.search(r'"section_id" IN \(([\d, ]+)\)', query["sql"])
            ranked.append({int(pk) for pk in found.group(1).split(",")})
    return ranked


def test_every_write_about_comments_leaves_the_kept_report_equal_to_a_fresh_one():
    call_command("generate_synthetic", sections=2, comments=200, reactions=1500, groups=3, seed=11)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    groups = list(paper.consultation.invited_groups.order_by("pk"))
    # Voters joined before the first report: a group's size is part of what is kept.
    voters = [member_of(group) for group in groups for _ in range(4)]
    before = kept_equals_fresh(paper)
    visible = Comment.objects.filter(is_public=True, is_removed=False, hidden_at__isnull=True)
    # The section and side with the most comments to quote.
    (section_id, side), top = max(
        quoted(before).items(),
        key=lambda item: visible.filter(section_id=item[0][0], author_side__side=item[0][1]).count(),
    )
    visible = visible.filter(section_id=section_id)
    lifted = visible.filter(author_side__side=side).exclude(pk__in=top).order_by("pk").first()
    assert len(top) == 3 and lifted is not None

    def changed(previous):
        after = kept_equals_fresh(paper)
        assert after != previous  # the write shows in the report: the comparison means something
        return after

    # Reactions to a comment not quoted, through the service: it is quoted now.
    for voter in voters:
        reaction_set(user=voter, target=lifted, choice="agree")
    after = changed(before)
    assert lifted.pk in quoted(after)[(section_id, side)]
    # A reaction changed, then the voters' reactions deleted in one statement.
    reaction_set(user=voters[0], target=lifted, choice="disagree")
    after = changed(after)
    Reaction.objects.filter(target_kind="comment", target_id=lifted.pk, user__in=voters).delete()
    after = changed(after)
    assert lifted.pk not in quoted(after)[(section_id, side)]
    # A quoted comment hidden by a moderator, another removed (comments-xtd's base row).
    first, second = quoted(after)[(section_id, side)][:2]
    Comment.objects.filter(pk=first).update(hidden_at=timezone.now())
    after = changed(after)
    Comment.objects.filter(pk=second).update(is_removed=True)
    after = changed(after)
    assert {first, second}.isdisjoint(quoted(after)[(section_id, side)])
    # The author of a quoted comment takes the other side of the section: the comment moves.
    moved = quoted(after)[(section_id, side)][0]
    author = Comment.objects.get(pk=moved).user
    other_side = "disagree" if side == "agree" else "agree"
    Reaction.objects.filter(user=author, target_kind="section", target_id=section_id).update(
        choice=other_side
    )
    after = changed(after)
    assert moved not in quoted(after)[(section_id, side)]
    # A comment's organisation (counted in the participation), a comment moved to another
    # section, a comment deleted.
    Comment.objects.filter(pk=quoted(after)[(section_id, side)][0]).update(organisation_name="A new charity")
    after = changed(after)
    other_section = next(s["id"] for s in after["sections"] if s["id"] != section_id)
    Comment.objects.filter(pk=quoted(after)[(section_id, side)][0]).update(section_id=other_section)
    after = changed(after)
    Comment.objects.filter(pk=quoted(after)[(section_id, side)][0]).delete()
    after = changed(after)
    # A new comment, by someone who agreed with the section, with the voters behind it.
    newcomer = member_of(groups[0])
    section = paper.get_children().get(pk=section_id).specific
    reaction_set(user=newcomer, target=section, choice="agree")
    fresh_comment = add_comment(newcomer, section, text="The threshold should be lower.")
    after = kept_equals_fresh(paper)
    for voter in voters:
        reaction_set(user=voter, target=fresh_comment, choice="agree")
    after = changed(after)
    assert fresh_comment.pk in quoted(after)[(section_id, "agree")]

    # A change rolled back, with a report built inside it: nothing of it is kept after.
    target = visible.filter(author_side__side="disagree").exclude(
        pk__in=quoted(after)[(section_id, "disagree")]
    )
    target = target.order_by("pk").first()
    with pytest.raises(RuntimeError), transaction.atomic():
        for voter in voters:
            reaction_set(user=voter, target=target, choice="agree")
        inside = built(paper)
        assert target.pk in quoted(inside)[(section_id, "disagree")]
        raise RuntimeError
    assert kept_equals_fresh(paper) == after

    # Writes that reach several comments or other columns at once: one UPDATE hiding a comment
    # on each side of both sections; a comment's version label changed (counted by version);
    # an author gone (their comments keep no side).
    first_quoted = [ids[0] for ids in quoted(after).values() if ids]
    Comment.objects.filter(pk__in=first_quoted).update(hidden_at=timezone.now())
    after = changed(after)
    relabelled = quoted(after)[(section_id, side)][0]
    Comment.objects.filter(pk=relabelled).update(version_label="v0")
    after = changed(after)
    gone = Comment.objects.get(pk=quoted(after)[(section_id, side)][0])
    Comment.objects.filter(pk=gone.pk).update(user=None)
    after = changed(after)
    assert gone.pk not in quoted(after)[(section_id, side)]

    # A group shrinks to the voters: the sizes are part of what is kept, not of the stamps;
    # the quoted comments' support across groups changes with them.
    Membership.objects.filter(group=groups[1]).exclude(user__in=voters).update(left_at=timezone.now())
    shrunk = kept_equals_fresh(paper)
    assert supports(shrunk) != supports(after)


def test_comments_moved_or_on_unpublished_sections_move_the_right_stamps():
    """Found in review: a comment on a section taken off the site still counts in the paper's
    comment figures, and a comment moved to another section keeps its reactions' section_id;
    both must still move the stamps the report reads."""
    tree = reaction_tree(sections=3)
    paper = tree["paper"]
    first, second, third = tree["sections"]
    author, reader = member_of(tree["groups"][0]), member_of(tree["groups"][1])
    for section in (first, second, third):
        reaction_set(user=author, target=section, choice="agree")
        add_comment(author, section, text=f"On {section.title}.")
    on_second, on_third = Comment.objects.get(section=second), Comment.objects.get(section=third)
    reaction_set(user=reader, target=on_third, choice="agree")
    second.unpublish()
    before = kept_equals_fresh(paper)
    assert before["participation"]["comments_shown"] == 3
    Comment.objects.filter(pk=on_second.pk).update(hidden_at=timezone.now())
    after = kept_equals_fresh(paper)
    assert after["participation"]["comments_shown"] == 2

    # Moved to the first section (the author agreed with it too): its reaction moves with it
    # in the ranking, though the reaction's own section_id still names the third.
    Comment.objects.filter(pk=on_third.pk).update(section_id=first.pk, text_hash=first.wording_hash)
    after = kept_equals_fresh(paper)
    quoted_first = [c["id"] for c in after["sections"][0]["comments"]["agree"]]
    assert on_third.pk in quoted_first
    assert Reaction.objects.get(target_kind="comment", target_id=on_third.pk).section_id == third.pk
    Reaction.objects.filter(target_kind="comment", target_id=on_third.pk).delete()
    after = kept_equals_fresh(paper)
    moved = next(c for c in after["sections"][0]["comments"]["agree"] if c["id"] == on_third.pk)
    assert moved["agree"] == 0


def test_a_section_is_ranked_again_only_after_a_write_about_its_comments():
    tree = reaction_tree(sections=2)
    first, second = tree["sections"]
    paper = tree["paper"]
    author, reader, passer_by = (member_of(group) for group in (*tree["groups"], tree["groups"][0]))
    for section in (first, second):
        reaction_set(user=author, target=section, choice="agree")
        add_comment(author, section, text=f"On {section.title}.")
    comment = Comment.objects.get(section=first)
    with CaptureQueriesContext(connection) as queries:
        report_build(paper=paper)
    assert ranking_queries(queries) == [{first.pk, second.pk}]
    assert any(COMMENT_FIGURES in query["sql"] for query in queries)
    with CaptureQueriesContext(connection) as queries:
        report_build(paper=paper)
    assert ranking_queries(queries) == []  # nothing changed: nothing ranked
    assert not any(COMMENT_FIGURES in query["sql"] for query in queries)

    before = stamps()
    assert set(before) == {first.pk, second.pk, paper.pk}
    reaction_set(user=reader, target=comment, choice="agree")
    after = stamps()
    assert after[first.pk] != before[first.pk]
    assert after[second.pk] == before[second.pk]
    assert after[paper.pk] == before[paper.pk]  # the comment figures stay kept
    with CaptureQueriesContext(connection) as queries:
        snapshot = report_build(paper=paper)
    assert ranking_queries(queries) == [{first.pk}]
    assert not any(COMMENT_FIGURES in query["sql"] for query in queries)  # kept: no comment was written
    assert snapshot["sections"][0]["comments"]["agree"][0]["agree"] == 1

    # A reaction to a section by someone with no comment on it moves no stamp.
    before = stamps()
    reaction_set(user=passer_by, target=second, choice="disagree")
    assert stamps() == before
    with CaptureQueriesContext(connection) as queries:
        report_build(paper=paper)
    assert ranking_queries(queries) == []


@pytest.mark.django_db(transaction=True)
def test_a_report_built_between_two_reactions_commits_keeps_neither_stale():
    """Two reactions to comments of one section from two connections, the second written
    while the first holds its stamp row (on PostgreSQL it waits for it), and a report built
    after the first has committed and before the second has: that report is kept under the
    stamp the first left, so the second must move it again or its reaction is lost to the
    kept report."""
    tree = reaction_tree(sections=1)
    section, paper = tree["sections"][0], tree["paper"]
    author, first_reader, second_reader = (member_of(tree["groups"][0]) for _ in range(3))
    reaction_set(user=author, target=section, choice="agree")
    comments = [add_comment(author, section, text=f"Point {n}.") for n in (1, 2)]
    before = kept_equals_fresh(paper)
    first_written, second_writing, first_committed, built_between = (threading.Event() for _ in range(4))

    def work(i):
        if i == 0:
            with transaction.atomic():
                reaction_set(user=first_reader, target=comments[0], choice="agree")
                first_written.set()
                # The second writes meanwhile: it queues on the stamp row (on SQLite, on the
                # database's write lock) until this commits.
                second_writing.wait(timeout=5)
            first_committed.set()
            return None
        if i == 1:
            assert first_written.wait(timeout=20)
            with transaction.atomic():
                second_writing.set()
                reaction_set(user=second_reader, target=comments[1], choice="agree")
                assert built_between.wait(timeout=20)
            return None
        assert first_committed.wait(timeout=20)
        snapshot = built(paper)  # the first's reaction, not yet the second's
        built_between.set()
        return snapshot

    between = in_threads(3, work)[2]
    assert sorted(c["agree"] for c in between["sections"][0]["comments"]["agree"]) == [0, 1]
    after = kept_equals_fresh(paper)
    assert after != before
    assert sorted(c["agree"] for c in after["sections"][0]["comments"]["agree"]) == [1, 1]
