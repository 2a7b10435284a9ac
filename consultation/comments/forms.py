"""Forms for taking part: comments, flags and moderation."""

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django_comments_xtd.forms import XtdCommentForm
from django_comments_xtd.models import max_thread_level_for_content_type

from consultation.models import Comment, CommentReport


def comment_max_length():
    return settings.COMMENT_MAX_LENGTH


def _as_int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def max_depth():
    """How many levels a conversation may have (a comment, a reply, a reply to that...)."""
    return settings.COMMENTS_XTD_MAX_THREAD_LEVEL + 1


class CommentForm(XtdCommentForm):
    """comments-xtd's form (security hash, timestamp, `reply_to`, `followup`)
    for signed-in people: name and email come from the account, not the form.

    Pass `user` to attribute the comment, and `parent` to make it a reply. The
    field ids carry the target's id so that many forms fit on one page."""

    comment = forms.CharField(
        label="Your comment",
        widget=forms.Textarea,
        help_text="Plain text. Leave a blank line between paragraphs; web addresses become links.",
        error_messages={"required": "Write your comment before posting it."},
    )
    followup = forms.BooleanField(
        required=False, initial=True, label="Email me when someone replies to this comment"
    )

    def __init__(self, target_object, *args, user=None, parent=None, **kwargs):
        self.user = user
        self.parent = parent
        self.expired = False
        # Reply forms carry the parent's id in theirs (as comments.js names the
        # inline ones), so a page never repeats an id.
        reply_to = parent.pk if parent else _as_int((kwargs.get("data") or {}).get("reply_to"))
        prefix = f"c{target_object.pk}" + (f"r{reply_to}" if reply_to else "")
        kwargs.setdefault("auto_id", f"id_{prefix}_%s")
        super().__init__(target_object, *args, comment=parent, **kwargs)
        # Identity comes from the signed-in account; the honeypot guards
        # anonymous forms we do not offer.
        for name in ("name", "email", "url", "honeypot"):
            self.fields.pop(name, None)
        # comments-xtd resets it to COMMENTS_XTD_DEFAULT_FOLLOWUP; asking is the better default here.
        self.fields["followup"].initial = True

    def clean_comment(self):
        text = self.cleaned_data["comment"].strip()
        limit = comment_max_length()
        if len(text) > limit:
            raise forms.ValidationError(
                f"Your comment is {len(text):,} characters long. The limit is {limit:,}: "
                f"shorten it by {len(text) - limit:,} characters.",
                code="max_length",
            )
        return text

    def clean_reply_to(self):
        reply_to = self.cleaned_data["reply_to"] or 0
        if not reply_to:
            self.parent = None
            return 0
        ctype = ContentType.objects.get_for_model(self.target_object)
        parent = (
            Comment.objects.select_related(None)
            .filter(pk=reply_to, content_type=ctype, object_pk=str(self.target_object.pk))
            .first()
        )
        if parent is None:
            raise forms.ValidationError("The comment you are replying to does not exist here.", code="parent")
        if parent.is_hidden:
            who = "Its author has withdrawn" if parent.is_withdrawn else "A moderator has removed"
            raise forms.ValidationError(
                f"{who} the comment you are replying to, so it cannot take replies.",
                code="parent_hidden",
            )
        # comments-xtd would save the reply and only then refuse it (a 500 and
        # a half-saved row): refuse it here instead.
        if parent.level >= max_thread_level_for_content_type(ctype):
            raise forms.ValidationError(
                f"Conversations go at most {max_depth()} levels deep. "
                "Reply to an earlier comment in this conversation instead.",
                code="max_depth",
            )
        self.parent = parent
        return reply_to

    def get_comment_object(self, site_id=None):
        # comments-xtd's own posting views are not mounted: a comment needs the
        # snapshots and the permission check that only the service applies.
        raise NotImplementedError("Post comments through consultation.comments.services.comment_create.")


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why should a moderator look at this comment?",
        choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason."},
    )
    details = forms.CharField(
        label="Tell the moderators more (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Moderators see this; it is not published. 1,000 characters at most.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == CommentReport.Reason.OTHER and not cleaned.get("details", "").strip():
            self.add_error("details", "Say what the problem is.")
        return cleaned


class ModerationReasonForm(forms.Form):
    """A moderator's reason. It is public: shown on the tombstone and in the moderation log."""

    reason = forms.CharField(
        label="Reason (published)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Shown to everyone on the page and in the public moderation log. "
            "Do not repeat the removed text or anyone's personal details."
        ),
        error_messages={"required": "Give a reason: it is published with the decision."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason: it is published with the decision.")
        return reason


class CommentEditForm(forms.Form):
    """The author's new text for their own comment (plain text, shown sanitised like any comment)."""

    comment = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=True,
        error_messages={"required": "Write your comment before saving it."},
    )

    def clean_comment(self):
        text = self.cleaned_data["comment"].strip()
        limit = settings.COMMENT_MAX_LENGTH
        if len(text) > limit:
            raise forms.ValidationError(
                f"Your comment is {len(text):,} characters long. The limit is {limit:,}.", code="max_length"
            )
        return text
