"""Comments: posting, flagging, moderating, following, and the emails they send.

Each public function is one action: it checks the named rule, writes in one
transaction, records public events in the process record, and leaves email to
`transaction.on_commit`, so nothing is sent for a write that rolled back.
"""

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_comments_xtd import signed
from django_comments_xtd.conf import settings as xtd_settings
from django_comments_xtd.models import XtdComment, max_thread_level_for_content_type
from django_comments_xtd.utils import send_mail

from consultation.explain import require
from consultation.models import Comment, CommentReport, PaperFollow, PolicyPaperPage, Proposal, SectionPage
from consultation.participation.services import speaking_membership
from consultation.record.services import record_event
from consultation.rules import MODERATORS_GROUP
from core.links import public_origin, site_url

logger = logging.getLogger(__name__)

UNFOLLOW_SALT = "consultation.paper-unfollow"
DUPLICATE_WINDOW_SECONDS = 600


# ---------------------------------------------------------------- helpers


def comment_rule_for(target):
    """The named rule that decides who may comment on this page (or proposal)."""
    if isinstance(target, Proposal):
        return "consultation.comment_proposal"
    return "consultation.comment_section" if isinstance(target, SectionPage) else "consultation.comment_paper"


def author_snapshot(*, author, paper):
    """What is shown beside a comment, as it is at the moment of posting.

    People taking part for an invited working group speak for it under their
    own name; anyone else may use their pseudonym and self-declared
    organisation."""
    consultation = paper.consultation
    # One voice per consultation: the same group as the person's reactions and proposals.
    membership = speaking_membership(user=author, consultation=consultation)
    snapshot = {
        "version_label": paper.version_label,
        "stage": consultation.current_stage,
    }
    if membership is not None:
        snapshot.update(
            author_name=author.display_name or author.get_full_name() or author.get_username(),
            organisation_name=membership.organisation_name,
            working_group=membership.group,
            working_group_name=membership.group.name,
        )
    else:
        snapshot.update(
            author_name=author.public_name,
            organisation_name=author.organisation,
            working_group=None,
            working_group_name="",
        )
    return snapshot


def _target_parts(target):
    if isinstance(target, Proposal):
        # A proposal's discussion belongs to its section and paper (for
        # restrictions and the paper's moderation), under the proposal's own content type.
        return target, target.paper, target.section
    target = target.specific if type(target) not in (SectionPage, PolicyPaperPage) else target
    if isinstance(target, SectionPage):
        return target, target.paper, target
    if isinstance(target, PolicyPaperPage):
        return target, target, None
    raise ValidationError("Comments can only be made on a section or a paper.")


# ---------------------------------------------------------------- posting


def comment_create(*, author, target, text, parent=None, followup=True):
    """Post a comment by `author` on a section or paper (`target`), or a reply
    to `parent`, and return it.

    Refuses (PermissionDenied) unless the stage and the author's role allow
    commenting on the target, and (ValidationError) a reply to a hidden
    comment, to another page's comment or past the maximum depth — before
    anything is written. Posting the same text twice within a few minutes
    returns the first comment instead of a duplicate. Emails go out after
    the transaction commits.
    """
    target, paper, section = _target_parts(target)
    require(author, comment_rule_for(target), target)
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write your comment before posting it.")
    if len(text) > settings.COMMENT_MAX_LENGTH:
        raise ValidationError(f"Comments are limited to {settings.COMMENT_MAX_LENGTH:,} characters.")

    content_type = ContentType.objects.get_for_model(target)
    with transaction.atomic():
        if parent is not None:
            # Replies in one thread renumber its rows: take the thread's root
            # row lock so two replies at once cannot interleave.
            list(XtdComment.norel_objects.select_for_update().filter(pk=parent.thread_id).values_list("pk"))
            parent = Comment.objects.select_related(None).get(pk=parent.pk)
            if parent.content_type_id != content_type.pk or parent.object_pk != str(target.pk):
                raise ValidationError("A reply must be on the same page as the comment it answers.")
            if parent.is_hidden:
                raise ValidationError("A moderator has removed this comment, so it cannot take replies.")
            if parent.level >= max_thread_level_for_content_type(content_type):
                raise ValidationError("This conversation is as deep as it can go.")

        duplicate = _recent_duplicate(
            author=author, content_type=content_type, target=target, text=text, parent=parent
        )
        if duplicate is not None:
            return duplicate

        comment = Comment(
            content_type=content_type,
            object_pk=str(target.pk),
            site_id=settings.SITE_ID,
            user=author,
            # comments-xtd's own name field is short; the full name is in author_name.
            user_name=author.public_name[:50],
            user_email=author.email,
            comment=text,
            submit_date=timezone.now(),
            is_public=True,
            is_removed=False,
            parent_id=parent.pk if parent is not None else 0,
            followup=bool(followup),
            paper=paper,
            section=section,
            # The exact wording the author was shown, whatever the label says.
            text_hash=section.wording_hash if section is not None else "",
            **author_snapshot(author=author, paper=paper),
        )
        # XtdComment.save() inserts, then computes thread data and saves again;
        # inside this transaction a failure leaves no row behind.
        comment.save()
        transaction.on_commit(partial(comment_notify, comment_id=comment.pk))
    return comment


def _recent_duplicate(*, author, content_type, target, text, parent):
    since = timezone.now() - timezone.timedelta(seconds=DUPLICATE_WINDOW_SECONDS)
    candidates = Comment.objects.select_related(None).filter(
        user=author, content_type=content_type, object_pk=str(target.pk), comment=text, submit_date__gte=since
    )
    if parent is not None:
        candidates = candidates.filter(parent_id=parent.pk).exclude(pk=parent.pk)
    else:
        candidates = candidates.filter(level=0)
    return candidates.order_by("-submit_date").first()


# ---------------------------------------------------------------- notifications


def comment_notify(*, comment_id):
    """Email, once each: the authors of the comments this one replies to who
    asked for follow-ups (comments-xtd's follow-up), then the paper's followers.
    Never the author. Returns the addresses emailed."""
    comment = Comment.objects.select_related("paper", "section", "user").filter(pk=comment_id).first()
    if comment is None or comment.is_hidden:
        return []
    sent = {comment.user_email.lower()} if comment.user_email else set()
    for ancestor in _ancestors(comment):
        email = (ancestor.user_email or "").lower()
        if not ancestor.followup or not email or email in sent:
            continue
        # The comment may be on text they may not read (restricted since):
        # the email carries its text, so it goes only where the page's rule lets it.
        if ancestor.user is None or not ancestor.user.has_perm("consultation.view_comment", comment):
            continue
        sent.add(email)
        _send_reply_email(comment=comment, recipient=ancestor)
    follows = (
        PaperFollow.objects.filter(paper=comment.paper, user__is_active=True, user__email_verified=True)
        .exclude(user=comment.user_id)
        .select_related("user")
    )
    for follow in follows:
        email = (follow.user.email or "").lower()
        if not email or email in sent or not follow.user.has_perm("consultation.view_comment", comment):
            continue
        sent.add(email)
        _send_follow_email(comment=comment, follow=follow)
    sent.discard((comment.user_email or "").lower())
    return sorted(sent)


def _ancestors(comment):
    """The comments this one answers, nearest first (at most the thread depth)."""
    ancestors = []
    parent_id = comment.parent_id
    while parent_id and parent_id != comment.pk:
        parent = Comment.objects.select_related(None).filter(pk=parent_id).first()
        if parent is None:
            break
        ancestors.append(parent)
        if parent.parent_id == parent.pk:
            break
        parent_id = parent.parent_id
    return ancestors


def _email_context(comment):
    target = comment.target
    return {
        "comment": comment,
        "content_object": target,
        "target_title": target.title,
        "paper": comment.paper,
        "comment_url": site_url(comment.get_absolute_url()),
        "site_name": settings.SITE_NAME,
        "site_url": public_origin(),
    }


def _send(subject, template, context, email):
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    send_mail(subject, text, xtd_settings.COMMENTS_XTD_FROM_EMAIL, [email], html=html)


def _send_reply_email(*, comment, recipient):
    # comments-xtd's signed key: its mute view turns follow-ups off for this
    # person on this page.
    key = signed.dumps(recipient, compress=True, extra_key=xtd_settings.COMMENTS_XTD_SALT).decode()
    context = _email_context(comment) | {
        "user_name": recipient.author_name,
        "parent": recipient,
        "mute_url": site_url(reverse("comments-xtd-mute", args=[key])),
    }
    _send(
        f"New reply to your comment on “{comment.target.title}”",
        "django_comments_xtd/email_followup_comment",
        context,
        recipient.user_email,
    )


def _send_follow_email(*, comment, follow):
    token = signing.dumps({"p": follow.paper_id, "u": follow.user_id}, salt=UNFOLLOW_SALT)
    context = _email_context(comment) | {
        "user_name": follow.user.public_name,
        "unfollow_url": site_url(reverse("consultation:paper_unfollow_link", args=[token])),
    }
    _send(
        f"New comment on “{comment.paper.title}”",
        "consultation/email/paper_new_comment",
        context,
        follow.user.email,
    )


# ---------------------------------------------------------------- following


def paper_follow(*, paper, user):
    """Start emailing `user` about new comments on `paper` (idempotent)."""
    require(user, "consultation.follow_paper", paper)
    follow, _ = PaperFollow.objects.get_or_create(paper=paper, user=user)
    return follow


def paper_unfollow(*, paper, user):
    """Stop the emails; returns whether the person was following."""
    deleted, _ = PaperFollow.objects.filter(paper=paper, user=user).delete()
    return bool(deleted)


def paper_unfollow_token_load(token):
    """The (paper id, user id) an unfollow link in an email was made for, or None."""
    try:
        value = signing.loads(token, salt=UNFOLLOW_SALT)
        return int(value["p"]), int(value["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


# ---------------------------------------------------------------- flagging and moderation


def comment_flag(*, comment, reporter, reason, details=""):
    """Flag a comment for the moderators. One open report per person per
    comment: flagging again updates the reason instead of adding another."""
    require(reporter, "consultation.flag_comment", comment)
    if reason not in CommentReport.Reason.values:
        raise ValidationError("Choose a reason.")
    with transaction.atomic():
        # Locked, so two first flags cannot both think they are first (one email per comment).
        Comment.objects.select_for_update().filter(pk=comment.pk).first()
        report = CommentReport.objects.filter(
            comment=comment, reporter=reporter, resolved_at__isnull=True
        ).first()
        if report is None:
            first = not CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).exists()
            try:
                with transaction.atomic():
                    report = CommentReport.objects.create(
                        comment=comment, reporter=reporter, reason=reason, details=details.strip()
                    )
                if first:
                    _tell_moderators_on_commit(comment, report)
                return report
            except IntegrityError:
                report = CommentReport.objects.get(
                    comment=comment, reporter=reporter, resolved_at__isnull=True
                )
        report.reason = reason
        report.details = details.strip()
        report.save(update_fields=["reason", "details"])
    return report


def _tell_moderators_on_commit(comment, report):
    """Email every moderator once about a comment's first open flag (later flags on it
    wait in the queue). Built now, while the request's address is known; sent on commit."""
    moderators = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MODERATORS_GROUP)
        .exclude(email="")
        .distinct()
    )
    addresses = sorted({user.email for user in moderators})
    if not addresses:
        return
    context = {
        "comment": comment,
        "where": _where(comment),
        "reason": report.get_reason_display(),
        "review_url": site_url(reverse("consultation_moderation:comment", args=[comment.pk])),
        "site_name": settings.SITE_NAME,
        "site_url": public_origin(),
    }
    subject = f"Comment {comment.pk} has been flagged for moderation"
    body = render_to_string("consultation/comments/emails/flagged.txt", context)

    def send():
        try:
            messages = [EmailMessage(subject, body, to=[address]) for address in addresses]
            get_connection().send_messages(messages)
        except Exception:  # a mail outage must not lose the flag
            logger.exception("Could not tell the moderators about comment %s", comment.pk)

    transaction.on_commit(send)


def _require_moderator(moderator):
    if not moderator.has_perm("consultation.moderate"):
        raise PermissionDenied("Only moderators can do this.")


def _where(comment):
    target = comment.target
    if comment.is_on_proposal:
        return f"proposal {target.pk} for section “{comment.section.title}” of “{comment.paper.title}”"
    if comment.section_id:
        return f"section “{target.title}” of “{comment.paper.title}”"
    return f"the paper “{comment.paper.title}”"


def _moderation_data(comment, action, reason, **extra):
    return {
        "action": action,
        "comment_id": comment.pk,
        "paper_id": comment.paper_id,
        "section_id": comment.section_id,
        "reason": reason,
        **extra,
    }


def _resolve_reports(comment, moderator, resolution, now):
    return CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=moderator, resolution=resolution
    )


def comment_hide(*, comment, moderator, reason):
    """Hide a comment: its text is withheld and a public tombstone gives the
    date and `reason`; its replies stay. Open reports are resolved and the
    action enters the public record (without the comment's text)."""
    _require_moderator(moderator)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason: it is published with the decision.")
    now = timezone.now()
    with transaction.atomic():
        # A queryset update: saving the instance would run comments-xtd's
        # pre_save hook, which rewrites nested counts across the thread.
        updated = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(
            hidden_at=now, hidden_by=moderator, hidden_reason=reason
        )
        if not updated:
            raise ValidationError("This comment is already hidden.")
        reports = _resolve_reports(comment, moderator, CommentReport.Resolution.HIDDEN, now)
        record_event(
            consultation=comment.paper.consultation,
            kind="moderation",
            actor=moderator,
            summary=f"A moderator removed comment {comment.pk} on {_where(comment)}. Reason: {reason}",
            data=_moderation_data(comment, "hide", reason, reports_resolved=reports),
        )
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, moderator, reason
    return comment


def comment_restore(*, comment, moderator, reason):
    """Show a hidden comment again; the reason is public."""
    _require_moderator(moderator)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason: it is published with the decision.")
    with transaction.atomic():
        updated = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False).update(
            hidden_at=None, hidden_by=None, hidden_reason=""
        )
        if not updated:
            raise ValidationError("This comment is not hidden.")
        record_event(
            consultation=comment.paper.consultation,
            kind="moderation",
            actor=moderator,
            summary=f"A moderator restored comment {comment.pk} on {_where(comment)}. Reason: {reason}",
            data=_moderation_data(comment, "restore", reason),
        )
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    return comment


def comment_reports_dismiss(*, comment, moderator, reason):
    """Keep a flagged comment: resolve its open reports as dismissed, in public."""
    _require_moderator(moderator)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason: it is published with the decision.")
    with transaction.atomic():
        count = _resolve_reports(comment, moderator, CommentReport.Resolution.DISMISSED, timezone.now())
        if not count:
            raise ValidationError("This comment has no open flags.")
        record_event(
            consultation=comment.paper.consultation,
            kind="moderation",
            actor=moderator,
            summary=(
                f"A moderator reviewed {count} flag{'s' if count != 1 else ''} on comment {comment.pk} "
                f"on {_where(comment)} and kept it. Reason: {reason}"
            ),
            data=_moderation_data(comment, "dismiss", reason, reports_resolved=count),
        )
    return count
