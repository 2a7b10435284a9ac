"""Comments on sections and papers, built on django-comments-xtd.

`Comment` extends comments-xtd's threaded `XtdComment` (named by the
COMMENTS_XTD_MODEL setting). Everything a reader sees beside a comment is
copied onto it when it is posted — the author's public name, working group
and organisation, the paper's version and the stage — so the record stays
true when people change groups, organisations or names later, and a paper's
comments load in one query without joins to memberships.
"""

from django.conf import settings
from django.db import models
from django_comments_xtd.models import XtdComment
from wagtail.search import index

from consultation.models.pages import Stage
from consultation.models.proposals import proposal_content_type_id

# The public reason on a comment or proposal whose author erased their account and asked for it to go.
REMOVED_AT_AUTHORS_REQUEST = "Removed at the author's request."
# The public reason on a comment its author withdrew.
WITHDRAWN_BY_AUTHOR = "Withdrawn by its author."


class Comment(index.Indexed, XtdComment):
    # The default reverse name, "comment", would clash with the text field.
    xtdcomment_ptr = models.OneToOneField(
        XtdComment,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="consultation_comment",
    )
    # Comments must never be lost: a page with comments cannot be deleted
    # (unpublishing it is always possible).
    paper = models.ForeignKey(
        "consultation.PolicyPaperPage", on_delete=models.PROTECT, related_name="comments"
    )
    # Empty for a comment on the paper as a whole.
    section = models.ForeignKey(
        "consultation.SectionPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
    )

    # Snapshots taken when the comment is posted.
    author_name = models.CharField(max_length=200)
    organisation_name = models.CharField(max_length=200, blank=True)
    working_group = models.ForeignKey(
        "workinggroups.WorkingGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    working_group_name = models.CharField(max_length=150, blank=True)
    version_label = models.CharField(max_length=40, blank=True)
    # The fingerprint of the section wording shown when the comment was posted
    # (SectionPage.wording_hash): the exact text the comment is about.
    text_hash = models.CharField(max_length=64, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)

    # Set when a moderator hides the comment: the text is withheld and a
    # public tombstone with the reason takes its place; replies stay.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(blank=True)

    # Set when the author edits the comment (within COMMENT_EDIT_MINUTES of
    # posting): the page shows "edited", the earlier text is kept in
    # CommentRevision (for moderators and the record, not shown inline).
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set when the author withdraws the comment. A withdrawn comment is also
    # hidden (hidden_at, hidden_by = the author, hidden_reason = WITHDRAWN), so
    # every place that withholds a hidden comment withholds it too.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    # The public search (consultation/search): the text of visible comments on
    # text that is not restricted. Hiding a comment removes it from the index
    # (comments.services); readers' rights are asked again at query time.
    search_fields = [
        index.SearchField("search_text"),
        index.FilterField("paper"),
        index.FilterField("section"),
        index.FilterField("hidden_at"),
        index.FilterField("is_public"),
        index.FilterField("is_removed"),
    ]

    class Meta:
        verbose_name = "comment"
        verbose_name_plural = "comments"
        indexes = [models.Index(fields=["paper", "section"], name="comment_paper_section")]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_name}"

    @classmethod
    def get_indexed_objects(cls):
        return cls.objects.select_related(None).filter(
            hidden_at__isnull=True, is_public=True, is_removed=False
        )

    def search_text(self):
        """The text the search index holds: none for a hidden comment or one on restricted text."""
        if self.hidden_at is not None or not self.is_public or self.is_removed:
            return ""
        page = self.section if self.section_id else self.paper
        if page.restricted or self.paper.restricted:
            return ""
        return self.comment

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def removed_by_author(self):
        """Hidden because its author erased their account and asked for it to go (no moderator)."""
        by_no_one = self.hidden_by_id is None
        return self.is_hidden and by_no_one and self.hidden_reason == REMOVED_AT_AUTHORS_REQUEST

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    @property
    def is_on_proposal(self):
        """A comment in a competing proposal's discussion (it keeps the proposal's section and paper)."""
        return self.content_type_id == proposal_content_type_id()

    @property
    def target(self):
        """What the comment is attached to: a proposal, its section, or the paper."""
        if self.is_on_proposal:
            return self.content_object
        return self.section if self.section_id else self.paper

    def get_absolute_url(self):
        # comments-xtd redirects here after posting and its emails link here.
        return f"{self.target.url}#{self.anchor}"


class CommentReport(models.Model):
    """A signed-in reader flags a comment for moderators, with a reason.

    Open reports make up the moderation queue; a moderator resolves them by
    hiding the comment or by dismissing the reports."""

    class Reason(models.TextChoices):
        ABUSIVE = "abusive", "Abusive, hateful or harassing"
        PERSONAL_DATA = "personal_data", "Reveals someone's personal information"
        SPAM = "spam", "Spam or advertising"
        OFF_TOPIC = "off_topic", "Not about this paper"
        OTHER = "other", "Something else"

    class Resolution(models.TextChoices):
        HIDDEN = "hidden", "Comment hidden"
        DISMISSED = "dismissed", "Dismissed"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One open report per person per comment: flagging twice changes nothing.
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_report_per_person",
            )
        ]

    def __str__(self):
        return f"Report on comment {self.comment_id}: {self.get_reason_display()}"


class CommentRevision(models.Model):
    """The text a comment had before its author edited it, kept so the edit is
    accountable: moderators read it beside the comment; the public page says only
    that (and when) the comment was edited."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    # When this text was replaced by the next one.
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["replaced_at", "pk"]

    def __str__(self):
        return f"Earlier text of comment {self.comment_id}"


class PaperFollow(models.Model):
    """A person who asked to be emailed about new comments on a paper."""

    paper = models.ForeignKey(
        "consultation.PolicyPaperPage", on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "user"], name="one_follow_per_paper")]

    def __str__(self):
        return f"{self.user} follows {self.paper}"


class SectionFollow(models.Model):
    """A person who asked to be emailed about new comments on one section (and
    on its proposals' discussions)."""

    section = models.ForeignKey("consultation.SectionPage", on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="section_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section", "user"], name="one_follow_per_section")]

    def __str__(self):
        return f"{self.user} follows {self.section}"


class CommentNotification(models.Model):
    """A comment someone is to be told about (a reply to them, or a comment on a
    paper they follow), waiting for their next digest. One per person per comment."""

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply to your comment"
        FOLLOW = "follow", "New comment on a paper you follow"
        SECTION = "section", "New comment on a section you follow"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_notifications"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a digest has taken it (sent, or dropped because it may no longer be read).
    digested_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "comment"], name="one_notification_per_comment")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: comment {self.comment_id} for user {self.recipient_id}"


class NotificationDigest(models.Model):
    """When a person's next digest is due, and when the last one went: notifications
    to one person go out at most every NOTIFICATION_DIGEST_MINUTES."""

    recipient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digest"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Notification digest for user {self.recipient_id}"
