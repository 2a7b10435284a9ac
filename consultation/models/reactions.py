"""Agree / disagree / neutral: one reaction per person per target.

The target is generic (a kind and an integer id) so that comments and
proposals can be reacted to without a foreign key into models that live
elsewhere; the paper and section foreign keys are kept beside it so that the
tallies of a whole paper are one aggregate query.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce


class ReactionChoice(models.TextChoices):
    AGREE = "agree", "Agree"
    DISAGREE = "disagree", "Disagree"
    NEUTRAL = "neutral", "Neutral"


class TargetKind(models.TextChoices):
    SECTION = "section", "Section"
    COMMENT = "comment", "Comment"
    PROPOSAL = "proposal", "Proposed wording"


# Comments get a plain agree/disagree: "neutral" on a comment says nothing.
CHOICES_BY_KIND = {
    TargetKind.SECTION: (ReactionChoice.AGREE, ReactionChoice.DISAGREE, ReactionChoice.NEUTRAL),
    TargetKind.COMMENT: (ReactionChoice.AGREE, ReactionChoice.DISAGREE),
    TargetKind.PROPOSAL: (ReactionChoice.AGREE, ReactionChoice.DISAGREE, ReactionChoice.NEUTRAL),
}


class Reaction(models.Model):
    """One person's current reaction to one section (per wording), comment or proposal.

    Choosing again changes it; withdrawing deletes it. The working group and
    paper version are snapshots taken when the reaction was last set, so that
    tallies keep saying who agreed with which text even after people move
    between groups or the paper is revised."""

    Choice = ReactionChoice
    TargetKind = TargetKind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    paper = models.ForeignKey(
        "consultation.PolicyPaperPage", on_delete=models.CASCADE, related_name="reactions"
    )
    # Null only for reactions to paper-level comments, which belong to no section.
    section = models.ForeignKey(
        "consultation.SectionPage", on_delete=models.CASCADE, related_name="reactions", null=True, blank=True
    )
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField()
    choice = models.CharField(max_length=10, choices=ReactionChoice.choices)
    working_group = models.ForeignKey(
        "workinggroups.WorkingGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The invited group the person took part for when reacting; empty for the public.",
    )
    is_member = models.BooleanField(
        default=False, help_text="Reacted as a member of an invited working group rather than as the public."
    )
    paper_version = models.CharField(max_length=40, help_text="The paper's version label when reacting.")
    # For a section: the fingerprint of the wording the person reacted to
    # (SectionPage.wording_hash when reacting). A reaction counts wherever that
    # wording is the section's current wording, so it carries over to a new
    # version that leaves the section unchanged, and a reworded section starts
    # fresh while the reactions to the old wording stay (one per wording).
    # Empty for comments and proposals, and for rows made before it existed:
    # those count on the version they were made on (`paper_version`).
    text_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target_kind", "target_id", "text_hash"],
                name="one_reaction_per_person_per_target_wording",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind=TargetKind.COMMENT, choice=ReactionChoice.NEUTRAL),
                name="comment_reactions_are_agree_or_disagree",
            ),
            models.CheckConstraint(
                condition=Q(choice__in=ReactionChoice.values), name="reaction_choice_is_known"
            ),
        ]
        indexes = [models.Index(fields=["paper", "target_kind", "target_id"], name="reaction_paper_target")]

    def __str__(self):
        return f"{self.get_choice_display()} on {self.target_key}"

    @property
    def target_key(self):
        return f"{self.target_kind}:{self.target_id}"


class ReactionCount(models.Model):
    """How many reactions share one tally key: a target, the wording or version
    they were made on, the choice, the working group and whether as a member.

    Written only by database triggers on `Reaction` (migration
    0022_reaction_counts, for SQLite and PostgreSQL), in the reacting
    statement's own transaction: every insert, change and delete of a reaction
    — the services, bulk deletes, cascades, erasure, a group's deletion setting
    the group to NULL — moves the counts with it, so they always equal a
    GROUP BY over the reactions (tested). Tallies are read from here
    (`reaction_tallies`): a few thousand rows for a paper whatever the number
    of reactions. A key whose count falls to 0 is deleted.

    The foreign keys carry no database constraint and do nothing on delete:
    the reactions' own cascades empty the counts through the triggers."""

    paper = models.ForeignKey(
        "consultation.PolicyPaperPage",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique key leads with the paper
        related_name="+",
    )
    section = models.ForeignKey(
        "consultation.SectionPage",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField()
    text_hash = models.CharField(max_length=64, blank=True, default="")
    paper_version = models.CharField(max_length=40)
    choice = models.CharField(max_length=10, choices=ReactionChoice.choices)
    working_group = models.ForeignKey(
        "workinggroups.WorkingGroup",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    is_member = models.BooleanField()
    # Not "positive": the triggers apply a change as one signed delta per key (see the migration).
    reactions = models.IntegerField()

    class Meta:
        constraints = [
            # The triggers' ON CONFLICT target: the public (no group) is one key, so
            # the group is compared as COALESCE(group, 0), NULL being distinct in SQL.
            models.UniqueConstraint(
                "paper",
                "target_kind",
                "target_id",
                "text_hash",
                "paper_version",
                "choice",
                Coalesce("working_group", 0),
                "is_member",
                name="one_count_per_tally_key",
            ),
        ]
        indexes = [
            # The working groups that reacted to a paper's comments, found by skipping from one
            # group to the next (the report, `builder._comment_groups`) instead of reading every count.
            models.Index(fields=["paper", "target_kind", "working_group"], name="count_paper_kind_group"),
        ]

    def __str__(self):
        return f"{self.reactions} × {self.choice} on {self.target_kind}:{self.target_id}"


class CommentAuthorSide(models.Model):
    """The side a comment's author took on the section wording the comment is
    about: their own agree or disagree reaction to that section, matched by the
    wording's fingerprint (`text_hash`), or by the paper version for reactions
    made before fingerprints were kept. When both match (two reactions), agree
    is taken (the lesser choice). A comment whose author took no side, or
    reacted neutral, has no row.

    Written only by database triggers (migration 0023_comment_author_sides,
    for SQLite and PostgreSQL) on reactions, comments and the comment's author,
    in the writing statement's own transaction, so it always equals the lookup
    made afresh (tested). The report ranks each section's comments by side
    (`consultation.report.builder`): reading the side here spares it one
    lookup per comment (50,000 at full size) into the section reactions.

    The foreign key carries no database constraint and does nothing on delete:
    a trigger removes the row with its comment."""

    comment = models.OneToOneField(
        "consultation.Comment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="author_side",
    )
    side = models.CharField(max_length=10, choices=ReactionChoice.choices)

    def __str__(self):
        return f"{self.side} (comment {self.comment_id})"


class CommentsStamp(models.Model):
    """A random token per page that changes whenever anything written about its
    comments changes. A section's moves with its comments' rows (written, moved,
    hidden, removed, deleted; their author, organisation or version), a reaction
    to one of them and its author's side; a paper's with its comments' rows only.
    The report keeps what it reads from comments in the cache under these tokens
    (`consultation.report.builder`): each section's quoted comments under the
    section's, the paper's comment figures under the paper's. A section is ranked
    again only after such a change, and a reaction to a comment leaves the
    figures kept.

    Written by database triggers (migration 0024_comments_stamps, for SQLite and
    PostgreSQL), in the writing statement's own transaction; nothing in the
    application writes them (the report benchmark moves them to time a build with
    nothing kept). A token is random, not a counter: a change rolled back must not
    leave a token that a later change takes again, or a ranking computed from the
    rolled-back change (by a report built inside that transaction) would be read
    as current. A page with no row has had no comment written since the migration.

    The foreign key carries no database constraint and does nothing on delete."""

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    stamp = models.CharField(max_length=32)

    def __str__(self):
        return f"page {self.page_id}: {self.stamp}"
