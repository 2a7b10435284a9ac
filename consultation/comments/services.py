"""Comments: posting, flagging, moderating, following, and the emails they send.

Each public function is one action: it checks the named rule, writes in one
transaction, records public events in the process record, and leaves email to
background jobs handed over after commit (jobs.services), so nothing is sent
for a write that rolled back and a mail failure never undoes a comment.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_comments_xtd import signed
from django_comments_xtd.conf import settings as xtd_settings
from django_comments_xtd.models import XtdComment, max_thread_level_for_content_type
from wagtail.search import index

from consultation.explain import require
from consultation.models import (
    Comment,
    CommentNotification,
    CommentReport,
    CommentRevision,
    NotificationDigest,
    PaperFollow,
    PolicyPaperPage,
    Proposal,
    SectionFollow,
    SectionPage,
)
from consultation.models.comments import WITHDRAWN_BY_AUTHOR
from consultation.participation.services import speaking_membership
from consultation.record.services import record_event
from consultation.rules import MODERATORS_GROUP
from core.links import public_origin, site_url
from jobs.services import background, enqueue_email, job_enqueue

logger = logging.getLogger(__name__)

UNFOLLOW_SALT = "consultation.paper-unfollow"
SECTION_UNFOLLOW_SALT = "consultation.section-unfollow"
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
        # From the row, not the instance: a page object (or the paper a section caches)
        # may predate the version just published.
        "version_label": PolicyPaperPage.objects.filter(pk=paper.pk)
        .values_list("version_label", flat=True)
        .get(),
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
                who = "Its author has withdrawn" if parent.is_withdrawn else "A moderator has removed"
                raise ValidationError(f"{who} this comment, so it cannot take replies.")
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
        # The notifications are a background job, handed over after commit.
        job_enqueue(
            "consultation.comments.services.comment_notify",
            kwargs={"comment_id": comment.pk},
            key=f"comment-notify:{comment.pk}",
            label=f"Notifications for comment {comment.pk}",
        )
    return comment


# ---------------------------------------------------------------- the author's own comment


def comment_edit(*, comment, author, text):
    """Replace the text of `author`'s own comment, within COMMENT_EDIT_MINUTES of
    posting and while they may still comment on its page (`consultation.edit_comment`).

    The earlier text is kept (CommentRevision) and the comment marked edited. The
    same text again changes nothing. Posting is not a record event, so neither is
    an edit inside the window; the revisions are the comment's history."""
    require(author, "consultation.edit_comment", comment)
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write your comment before saving it.")
    if len(text) > settings.COMMENT_MAX_LENGTH:
        raise ValidationError(f"Comments are limited to {settings.COMMENT_MAX_LENGTH:,} characters.")
    with transaction.atomic():
        current = Comment.objects.select_related(None).select_for_update().get(pk=comment.pk)
        # Asked again under the lock: a moderator may have hidden it meanwhile.
        require(author, "consultation.edit_comment", current)
        if current.comment == text:
            return current
        now = timezone.now()
        CommentRevision.objects.create(comment=current, text=current.comment, replaced_at=now)
        # A queryset update: saving would run comments-xtd's thread bookkeeping.
        Comment.objects.filter(pk=current.pk).update(comment=text, edited_at=now)
        current.comment, current.edited_at = text, now
        index.insert_or_update_object(Comment.objects.get(pk=current.pk))
    comment.comment, comment.edited_at = text, now
    return comment


def comment_withdraw(*, comment, author):
    """Withdraw `author`'s own comment: its text is withheld and a public
    tombstone says its author withdrew it; replies stay. The withdrawal enters
    the public record (and the moderation log) without the text."""
    require(author, "consultation.withdraw_comment", comment)
    now = timezone.now()
    with transaction.atomic():
        updated = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(
            hidden_at=now, hidden_by=author, hidden_reason=WITHDRAWN_BY_AUTHOR, withdrawn_at=now
        )
        if not updated:
            raise ValidationError("This comment has already been withdrawn or hidden.")
        index.remove_object(comment)
        record_event(
            consultation=comment.paper.consultation,
            kind="moderation",
            actor=author,
            summary=f"The author withdrew comment {comment.pk} on {_where(comment)}.",
            data=_moderation_data(comment, "withdraw", WITHDRAWN_BY_AUTHOR),
        )
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, author, WITHDRAWN_BY_AUTHOR
    comment.withdrawn_at = now
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
#
# A comment's emails are background jobs: posting enqueues `comment_notify`,
# which notes who is to be told (`CommentNotification`) and schedules each
# person's digest; `comment_digest_send` then sends one email with everything
# that person has waiting, at most every NOTIFICATION_DIGEST_MINUTES. A mail
# server failure is retried by the job and never touches the saved comment.


@background
def comment_notify(*, comment_id):
    """Note who is to hear of this comment, once each: the authors of the comments
    it replies to who asked for follow-ups (comments-xtd's follow-up), then the
    paper's followers, then its section's; never its author, and only people who may read it. Each
    gets the comment in their next digest. Returns the addresses to be told."""
    comment = Comment.objects.select_related("paper", "section", "user").filter(pk=comment_id).first()
    if comment is None or comment.is_hidden:
        return []
    told = {comment.user_email.lower()} if comment.user_email else set()
    recipients = []
    for ancestor in _ancestors(comment):
        email = (ancestor.user_email or "").lower()
        if not ancestor.followup or not email or email in told:
            continue
        # The comment may be on text they may not read (restricted since):
        # the email carries its text, so it goes only where the page's rule lets it.
        if ancestor.user is None or not ancestor.user.has_perm("consultation.view_comment", comment):
            continue
        told.add(email)
        recipients.append((ancestor.user, CommentNotification.Kind.REPLY))
    follows = (
        PaperFollow.objects.filter(paper=comment.paper, user__is_active=True, user__email_verified=True)
        .exclude(user=comment.user_id)
        .select_related("user")
    )
    for follow in follows:
        email = (follow.user.email or "").lower()
        if not email or email in told or not follow.user.has_perm("consultation.view_comment", comment):
            continue
        told.add(email)
        recipients.append((follow.user, CommentNotification.Kind.FOLLOW))
    if comment.section_id:
        section_follows = (
            SectionFollow.objects.filter(
                section_id=comment.section_id, user__is_active=True, user__email_verified=True
            )
            .exclude(user=comment.user_id)
            .select_related("user")
        )
        for follow in section_follows:
            email = (follow.user.email or "").lower()
            if not email or email in told or not follow.user.has_perm("consultation.view_comment", comment):
                continue
            told.add(email)
            recipients.append((follow.user, CommentNotification.Kind.SECTION))
    for user, kind in recipients:
        with transaction.atomic():
            _, created = CommentNotification.objects.get_or_create(
                recipient=user, comment=comment, defaults={"kind": kind}
            )
            if created:
                _digest_schedule(user)
    told.discard((comment.user_email or "").lower())
    return sorted(told)


def _digest_window():
    return timezone.timedelta(minutes=getattr(settings, "NOTIFICATION_DIGEST_MINUTES", 10))


def _digest_schedule(user):
    """Make sure a digest is due for `user`: NOTIFICATION_DIGEST_MINUTES after the
    first notification that found none pending, so everything in that window
    goes out together (and two digests are never closer than the window)."""
    digest, _ = NotificationDigest.objects.get_or_create(recipient=user)
    digest = NotificationDigest.objects.select_for_update().get(pk=digest.pk)
    if digest.due_at is not None:
        return
    window = _digest_window()
    digest.due_at = timezone.now() + window
    digest.save(update_fields=["due_at"])
    job_enqueue(
        "consultation.comments.services.comment_digest_send",
        kwargs={"user_id": user.pk},
        key=f"comment-digest:{user.pk}:{digest.due_at.isoformat()}",
        label=f"Comment notifications for user {user.pk}",
        run_after=digest.due_at if window else None,
    )


@background
def comment_digest_send(*, user_id):
    """Send `user_id` one email about every comment waiting for them (the usual
    single-comment email when there is one). Comments hidden since, or on text
    they may no longer read, are dropped. A retried job finds nothing waiting."""
    with transaction.atomic():
        digest = NotificationDigest.objects.select_for_update().filter(recipient_id=user_id).first()
        if digest is None:
            return 0
        now = timezone.now()
        waiting = list(
            CommentNotification.objects.filter(recipient_id=user_id, digested_at__isnull=True)
            .select_related("comment__paper", "comment__section", "recipient")
            .order_by("comment__submit_date", "pk")
        )
        digest.due_at = None
        if waiting:
            digest.last_sent_at = now
        digest.save(update_fields=["due_at", "last_sent_at"])
        CommentNotification.objects.filter(pk__in=[n.pk for n in waiting]).update(digested_at=now)
        user = waiting[0].recipient if waiting else None
        readable = [
            n
            for n in waiting
            if not n.comment.is_hidden
            and user.is_active
            and user.has_perm("consultation.view_comment", n.comment)
        ]
        if not readable or not user.email:
            return 0
        key = f"comment-digest:{user_id}:{now.isoformat()}"
        if len(readable) == 1:
            subject, text, html = _single_email(readable[0])
        else:
            subject, text, html = _digest_email(user, readable)
        enqueue_email(to=[user.email], subject=subject, body=text, html=html, key=key)
    return len(readable)


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


def _render(template, context):
    return render_to_string(f"{template}.txt", context), render_to_string(f"{template}.html", context)


def _mute_url(recipient_comment):
    # comments-xtd's signed key: its mute view turns follow-ups off for this
    # person on this page.
    key = signed.dumps(recipient_comment, compress=True, extra_key=xtd_settings.COMMENTS_XTD_SALT).decode()
    return site_url(reverse("comments-xtd-mute", args=[key]))


def _unfollow_url(*, paper_id, user_id):
    token = signing.dumps({"p": paper_id, "u": user_id}, salt=UNFOLLOW_SALT)
    return site_url(reverse("consultation:paper_unfollow_link", args=[token]))


def _section_unfollow_url(*, section_id, user_id):
    token = signing.dumps({"s": section_id, "u": user_id}, salt=SECTION_UNFOLLOW_SALT)
    return site_url(reverse("consultation:section_unfollow_link", args=[token]))


def _replied_to(notification):
    """The recipient's comment that this one answers (nearest first)."""
    for ancestor in _ancestors(notification.comment):
        if ancestor.user_id == notification.recipient_id:
            return ancestor
    return None


def _single_email(notification):
    comment, user = notification.comment, notification.recipient
    parent = _replied_to(notification) if notification.kind == CommentNotification.Kind.REPLY else None
    if parent is not None:
        context = _email_context(comment) | {
            "user_name": parent.author_name,
            "parent": parent,
            "mute_url": _mute_url(parent),
        }
        text, html = _render("django_comments_xtd/email_followup_comment", context)
        return f"New reply to your comment on “{comment.target.title}”", text, html
    if notification.kind == CommentNotification.Kind.SECTION:
        context = _email_context(comment) | {
            "user_name": user.public_name,
            "followed_title": comment.section.title,
            "unfollow_url": _section_unfollow_url(section_id=comment.section_id, user_id=user.pk),
        }
        text, html = _render("consultation/email/paper_new_comment", context)
        return f"New comment on “{comment.section.title}”", text, html
    context = _email_context(comment) | {
        "user_name": user.public_name,
        "followed_title": comment.paper.title,
        "unfollow_url": _unfollow_url(paper_id=comment.paper_id, user_id=user.pk),
    }
    text, html = _render("consultation/email/paper_new_comment", context)
    return f"New comment on “{comment.paper.title}”", text, html


def _digest_email(user, notifications):
    items = []
    papers = {}
    mutes = {}
    for notification in notifications:
        comment = notification.comment
        items.append({"comment": comment, "kind": notification.kind, **_email_context(comment)})
        if notification.kind == CommentNotification.Kind.SECTION:
            url = _section_unfollow_url(section_id=comment.section_id, user_id=user.pk)
            papers.setdefault(("section", comment.section_id), {"paper": comment.section, "url": url})
        elif notification.kind == CommentNotification.Kind.FOLLOW:
            papers.setdefault(
                comment.paper_id,
                {"paper": comment.paper, "url": _unfollow_url(paper_id=comment.paper_id, user_id=user.pk)},
            )
        else:
            parent = _replied_to(notification)
            if parent is not None:
                mutes.setdefault(parent.content_type_id, {"target": comment.target, "url": _mute_url(parent)})
    context = {
        "user_name": user.public_name,
        "items": items,
        "unfollow": list(papers.values()),
        "mutes": list(mutes.values()),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    text, html = _render("consultation/email/comment_digest", context)
    return f"{len(items)} new comments on {settings.SITE_NAME}", text, html


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
    return _unfollow_token_load(token, salt=UNFOLLOW_SALT, target_key="p")


def _unfollow_token_load(token, *, salt, target_key):
    try:
        value = signing.loads(token, salt=salt)
        return int(value[target_key]), int(value["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def section_follow(*, section, user):
    """Start emailing `user` about new comments on one section (idempotent)."""
    require(user, "consultation.follow_section", section)
    follow, _ = SectionFollow.objects.get_or_create(section=section, user=user)
    return follow


def section_unfollow(*, section, user):
    """Stop the emails about a section; returns whether the person was following it."""
    deleted, _ = SectionFollow.objects.filter(section=section, user=user).delete()
    return bool(deleted)


def section_unfollow_token_load(token):
    """The (section id, user id) a section's unfollow link was made for, or None."""
    return _unfollow_token_load(token, salt=SECTION_UNFOLLOW_SALT, target_key="s")


# ---------------------------------------------------------------- flagging and moderation


def comment_flag(*, comment, reporter, reason, details=""):
    """Flag a comment for the moderators. One open report per person per
    comment: flagging again updates the reason instead of adding another."""
    require(reporter, "consultation.flag_comment", comment)
    if reason not in CommentReport.Reason.values:
        raise ValidationError("Choose a reason.")
    with transaction.atomic():
        # Locked, so two first flags cannot both think they are first (one email per comment).
        Comment.objects.select_related(None).select_for_update().filter(pk=comment.pk).first()
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
                    _tell_moderators(comment, report)
                return report
            except IntegrityError:
                report = CommentReport.objects.get(
                    comment=comment, reporter=reporter, resolved_at__isnull=True
                )
        report.reason = reason
        report.details = details.strip()
        report.save(update_fields=["reason", "details"])
    return report


def _tell_moderators(comment, report):
    """Email every moderator once about a comment's first open flag (later flags on it
    wait in the queue). Built now, while the request's address is known; sent by a
    background job once the flag commits."""
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
    # One email per moderator, each sent once per flag however often its job runs; a mail
    # outage is retried in the background and never loses the flag.
    for address in addresses:
        enqueue_email(to=[address], subject=subject, body=body, key=f"flagged:{report.pk}:{address}")


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
        # Out of the public search in the same transaction (the update sent no save signal).
        index.remove_object(comment)
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
        # A comment its author withdrew stays withdrawn: it is theirs to take back.
        hidden = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False, withdrawn_at__isnull=True)
        updated = hidden.update(hidden_at=None, hidden_by=None, hidden_reason="")
        if not updated:
            raise ValidationError("This comment is not hidden, or its author withdrew it.")
        index.insert_or_update_object(Comment.objects.get(pk=comment.pk))
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
