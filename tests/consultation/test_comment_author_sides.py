"""Each comment's author side (consultation_commentauthorside) is kept by database triggers
on reactions, comments and the comment's author: whatever writes them, it must equal the
side looked up afresh — the author's agree or disagree reaction to the section wording the
comment is about (by fingerprint, or by paper version for reactions made before
fingerprints were kept; agree when both match). Run on SQLite and on PostgreSQL (the
triggers differ)."""

import contextlib
import threading

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.lookups import Exact

from consultation.models import Comment, CommentAuthorSide, PolicyPaperPage, Reaction
from consultation.privacy.services import REMOVE, account_erase
from consultation.reactions.services import reaction_set, reaction_withdraw
from tests.support.concurrency import in_threads
from tests.support.contributions import add_comment, make_comment
from tests.support.people import member_of
from tests.support.trees import build_site_tree, reaction_tree
from tests.support.trees import fresh as fresh_page

pytestmark = pytest.mark.django_db


def fresh():
    """{comment id: side} looked up now, one subquery per comment (as the report once did)."""
    side = Reaction.objects.filter(
        Q(text_hash="", paper_version=OuterRef("version_label"))
        | (~Exact(OuterRef("text_hash"), Value("")) & Q(text_hash=OuterRef("text_hash"))),
        user_id=OuterRef("user_id"),
        target_kind="section",
        target_id=OuterRef("section_id"),
        choice__in=["agree", "disagree"],
    ).order_by("choice")
    rows = Comment.objects.annotate(side=Subquery(side.values("choice")[:1])).order_by()
    return {pk: found for pk, found in rows.values_list("pk", "side") if found is not None}


def kept():
    return dict(CommentAuthorSide.objects.values_list("comment_id", "side"))


def assert_kept():
    assert kept() == fresh()


def side_of(comment):
    return kept().get(comment.pk)


def reword(section, text):
    section.body = [("paragraph", f"<p>{text}</p>")]
    section.save_revision().publish()
    return fresh_page(section)


def test_a_side_follows_the_authors_reaction_to_the_wording_commented_on():
    tree = reaction_tree(sections=2)
    first, second = tree["sections"]
    author, other = member_of(tree["groups"][0]), member_of(tree["groups"][1])
    comment = add_comment(author, first)
    assert side_of(comment) is None  # no reaction yet
    reaction_set(user=other, target=first, choice="agree")  # someone else's reaction is not the author's
    reaction_set(user=author, target=second, choice="agree")  # nor is their reaction to another section
    assert side_of(comment) is None
    reaction_set(user=author, target=first, choice="disagree")
    assert side_of(comment) == "disagree"
    reaction_set(user=author, target=first, choice="agree")
    assert side_of(comment) == "agree"
    reaction_set(user=author, target=first, choice="neutral")  # neutral is no side
    assert side_of(comment) is None
    reaction_set(user=author, target=first, choice="disagree")
    reaction_withdraw(user=author, target=first)
    assert side_of(comment) is None
    reaction_set(user=author, target=first, choice="disagree")
    assert_kept()

    # Reworded: the comment stays about the wording it was made on, and so does its side;
    # a comment on the new wording takes the author's reaction to the new wording.
    first = reword(first, "A new wording of the first section.")
    reaction_set(user=author, target=first, choice="agree")
    assert side_of(comment) == "disagree"
    later = add_comment(author, first, text="Better, but not yet right.")
    assert side_of(later) == "agree"
    assert_kept()

    # A reaction made before fingerprints were kept is matched by the paper version;
    # with both matching, agree is taken.
    Reaction.objects.filter(user=author, target_id=first.pk, text_hash=comment.text_hash).update(
        text_hash="", paper_version=comment.version_label
    )
    assert side_of(comment) == "disagree"
    Comment.objects.filter(pk=comment.pk).update(text_hash="")  # a comment made before too
    assert side_of(comment) == "disagree"
    Comment.objects.filter(pk=later.pk).update(version_label=comment.version_label)
    assert side_of(later) == "agree"  # its wording's agree, and the version's disagree
    assert_kept()

    # A comment moved to another section takes the author's side on the wording there.
    Comment.objects.filter(pk=comment.pk).update(section=second)
    assert side_of(comment) is None  # no fingerprint, and their reaction there has one
    Comment.objects.filter(pk=comment.pk).update(text_hash=second.wording_hash)
    assert side_of(comment) == "agree"
    assert_kept()

    # A change rolled back leaves the sides as they were.
    before = kept()
    with pytest.raises(RuntimeError), transaction.atomic():
        reaction_set(user=author, target=first, choice="disagree")
        assert kept() != before
        raise RuntimeError
    assert kept() == before

    # A comment deleted takes its side with it; an author gone leaves their comments no side.
    Comment.objects.filter(pk=later.pk).delete()
    assert later.pk not in kept()
    author.delete()
    assert side_of(comment) is None
    assert_kept()


def test_bulk_writes_deletes_cascades_and_erasure_keep_the_sides_equal_to_a_fresh_lookup():
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=3, comments=60, reactions=900, groups=3, seed=8)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    sides = kept()
    assert sides and set(sides.values()) == {"agree", "disagree"}
    assert_kept()  # bulk inserts: the reactions first, then the comments
    # Bulk changes of choices, one UPDATE for many rows.
    Reaction.objects.filter(target_kind="section", choice="neutral").update(choice="agree")
    some = Reaction.objects.filter(target_kind="section").order_by("pk").values("pk")[:40]
    Reaction.objects.filter(pk__in=some).update(choice="disagree")
    assert_kept()
    # Bulk deletes of reactions, and of comments.
    Reaction.objects.filter(target_kind="section", choice="disagree").order_by("pk")[:1].get().delete()
    Reaction.objects.filter(
        pk__in=Reaction.objects.filter(target_kind="section").order_by("-pk")[:50]
    ).delete()
    Comment.objects.filter(pk__in=list(sides)[:5]).delete()
    assert_kept()
    # Erasure with the person's reactions removed; an account deleted outright (its
    # comments keep no author); a bulk reassignment of authors.
    authors = Comment.objects.filter(pk__in=kept()).order_by("user_id").values_list("user_id", flat=True)
    erased_id, deleted_id = sorted(set(authors))[:2]
    account_erase(user=Reaction.objects.filter(user_id=erased_id).first().user, reactions=REMOVE)
    assert not Reaction.objects.filter(user_id=erased_id).exists()
    Reaction.objects.filter(user_id=deleted_id).first().user.delete()
    assert_kept()
    someone = Reaction.objects.filter(target_kind="section").order_by("user_id").first().user_id
    Comment.objects.filter(pk__in=list(kept())[:10]).update(user_id=someone)
    assert_kept()
    # A section deleted (its comments first: they protect it), its reactions going by cascade.
    section = paper.get_children().first().specific
    Comment.objects.filter(section=section).delete()
    section.delete()
    assert_kept()
    Reaction.objects.filter(paper=paper).delete()
    assert not CommentAuthorSide.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_reaction_and_a_comment_of_the_same_person_at_the_same_moment_both_count():
    """On PostgreSQL each thread has its own connection: the person's new comment and their
    reaction to the same section are both written, neither committed, when the other's trigger
    looks; without the lock per (person, section) neither would see the other and the comment
    would keep no side. Written as rows, without the services (whose own locks may happen to
    serialise them), as any writer of the tables may."""
    tree = reaction_tree(sections=1)
    section, paper = tree["sections"][0], tree["paper"]
    author = member_of(tree["groups"][0])
    # Both write, then wait for each other before committing; a writer held by the other's
    # lock (or, on SQLite, the other's write transaction) lets the wait time out and goes on.
    written = threading.Barrier(2)

    def write(i):
        with transaction.atomic():
            if i == 0:
                make_comment(
                    paper=paper,
                    author=author,
                    section=section,
                    text_hash=section.wording_hash,
                    version_label=paper.version_label,
                )
            else:
                Reaction.objects.create(
                    user=author,
                    paper=paper,
                    section=section,
                    target_kind="section",
                    target_id=section.pk,
                    choice="disagree",
                    is_member=False,
                    paper_version=paper.version_label,
                    text_hash=section.wording_hash,
                )
            with contextlib.suppress(threading.BrokenBarrierError):
                written.wait(timeout=3)
        return True

    assert in_threads(2, write) == [True, True]
    comment = Comment.objects.get(user=author)
    assert side_of(comment) == "disagree"
    assert_kept()
