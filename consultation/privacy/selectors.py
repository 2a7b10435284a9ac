"""What the site holds about one person, read for their export (UK GDPR articles 15 and 20).

`personal_data` gathers every row that names or belongs to the person, as
plain JSON-ready data: the export is built from it (services.py) and the test
compares it with the database. A fixed number of queries, whatever the person did.
"""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from consultation.models import (
    Comment,
    CommentNotification,
    CommentReport,
    NotificationDigest,
    PaperFollow,
    PersonalDataExport,
    Proposal,
    Reaction,
    RecordEntry,
    SectionFollow,
    Subscription,
    Voice,
)
from jobs.models import OutgoingEmail
from workinggroups.models import Invitation, JoinRequest, Membership, SignOff


def _when(value):
    return value.isoformat() if value else None


def _account(user):
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "email_confirmed": user.email_verified,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "organisation": user.organisation,
        "pseudonym": user.pseudonym,
        "shows_pseudonym": user.use_pseudonym,
        "public_name": user.public_name,
        "joined": _when(user.date_joined),
        "last_signed_in": _when(user.last_login),
        "is_staff": user.is_staff,
        "staff_groups": sorted(user.groups.values_list("name", flat=True)),
    }


def _memberships(user):
    rows = Membership.objects.filter(user=user).select_related("group", "organisation").order_by("joined_at")
    return [
        {
            "id": m.pk,
            "group": m.group.name,
            "role": m.role,
            "organisation": m.organisation_name,
            "joined_at": _when(m.joined_at),
            "left_at": _when(m.left_at),
            "ended_reason": m.ended_reason,
        }
        for m in rows
    ]


def _invitations(user):
    mine = Q(accepted_by=user) | Q(email__iexact=user.email) if user.email else Q(accepted_by=user)
    rows = Invitation.objects.filter(mine).select_related("group")
    return [
        {
            "id": i.pk,
            "group": i.group.name,
            "email": i.email,
            "role": i.role,
            "status": i.status,
            "sent_at": _when(i.sent_at),
            "expires_at": _when(i.expires_at),
            "accepted_at": _when(i.accepted_at),
        }
        for i in rows
    ]


def _join_requests(user):
    rows = JoinRequest.objects.filter(user=user).select_related("group", "organisation")
    return [
        {
            "id": r.pk,
            "group": r.group.name,
            "organisation": r.organisation_label,
            "message": r.message,
            "status": r.status,
            "created_at": _when(r.created_at),
            "decided_at": _when(r.decided_at),
            "decision_note": r.decision_note,
        }
        for r in rows
    ]


def _comments(user):
    rows = (
        Comment.objects.filter(user=user)
        .select_related("paper", "section")
        .prefetch_related("revisions")
        .order_by("submit_date", "pk")
    )
    return [
        {
            "id": c.pk,
            "is_reply": c.parent_id != c.pk,
            "in_reply_to": c.parent_id if c.parent_id != c.pk else None,
            "paper": c.paper.title,
            "section": c.section.title if c.section_id else None,
            "on_proposal": int(c.object_pk) if c.is_on_proposal else None,
            "text": c.comment,
            "earlier_texts": [r.text for r in c.revisions.all()],
            "edited_at": _when(c.edited_at),
            "withdrawn_at": _when(c.withdrawn_at),
            "posted_at": _when(c.submit_date),
            "version": c.version_label,
            "wording_fingerprint": c.text_hash,
            "stage": c.stage,
            "shown_as": c.author_name,
            "organisation": c.organisation_name,
            "working_group": c.working_group_name,
            "email_on_replies": c.followup,
            "hidden_by_moderator_at": _when(c.hidden_at),
            "hidden_reason": c.hidden_reason,
        }
        for c in rows
    ]


def _reactions(user):
    rows = Reaction.objects.filter(user=user).select_related("paper", "working_group").order_by("created_at")
    return [
        {
            "id": r.pk,
            "paper": r.paper.title,
            "target": r.target_key,
            "choice": r.choice,
            "version": r.paper_version,
            "wording_fingerprint": r.text_hash,
            "as_member_of": r.working_group.name if r.working_group_id else None,
            "created_at": _when(r.created_at),
            "updated_at": _when(r.updated_at),
        }
        for r in rows
    ]


def _proposals(user):
    rows = Proposal.objects.filter(author=user).select_related("paper", "section").order_by("created_at")
    return [
        {
            "id": p.pk,
            "paper": p.paper.title,
            "section": p.section.title,
            "kind": p.kind,
            "text": p.text,
            "rationale": p.rationale,
            "version": p.version_label,
            "shown_as": p.author_name,
            "organisation": p.organisation_name,
            "working_group": p.working_group_name,
            "state": p.state,
            "created_at": _when(p.created_at),
            "decided_at": _when(p.decided_at),
            "decision_reason": p.decision_reason,
        }
        for p in rows
    ]


def _flags(user):
    rows = CommentReport.objects.filter(reporter=user).order_by("created_at")
    return [
        {
            "id": f.pk,
            "comment": f.comment_id,
            "reason": f.reason,
            "details": f.details,
            "created_at": _when(f.created_at),
            "resolution": f.resolution,
            "resolved_at": _when(f.resolved_at),
        }
        for f in rows
    ]


def _follows(user):
    rows = PaperFollow.objects.filter(user=user).select_related("paper")
    sections = SectionFollow.objects.filter(user=user).select_related("section")
    return [{"paper": f.paper.title, "since": _when(f.created_at)} for f in rows] + [
        {"section": f.section.title, "since": _when(f.created_at)} for f in sections
    ]


def _subscriptions(user):
    rows = Subscription.objects.filter(email__iexact=user.email).select_related("consultation")
    return [
        {
            "consultation": s.consultation.title,
            "email": s.email,
            "status": s.status,
            "created_at": _when(s.created_at),
            "confirmed_at": _when(s.confirmed_at),
            "prompts_sent": s.prompts_sent,
        }
        for s in rows
    ]


def _voices(user):
    rows = Voice.objects.filter(user=user).select_related("consultation", "group")
    return [
        {
            "consultation": v.consultation.title,
            "speaks_for": v.group.name,
            "chosen_by_you": v.chosen_by_person,
            "updated_at": _when(v.updated_at),
        }
        for v in rows
    ]


def _signoffs(user):
    rows = SignOff.objects.filter(recorded_by=user).select_related("group", "paper").order_by("recorded_at")
    return [
        {
            "id": s.pk,
            "group": s.group.name,
            "paper": s.paper.title,
            "version": s.version_label,
            "position": s.position,
            "statement": s.statement,
            "recorded_at": _when(s.recorded_at),
            "superseded_at": _when(s.superseded_at),
        }
        for s in rows
    ]


def _record_entries(user):
    rows = RecordEntry.objects.filter(Q(actor=user) | Q(subject=user)).order_by("sequence")
    return [
        {
            "sequence": e.sequence,
            "consultation": e.consultation_id,
            "kind": e.kind,
            "created_at": _when(e.created_at),
            "you_are": "the actor" if e.actor_id == user.pk else "named in it",
            "summary": e.public_summary,
            "entry_hash": e.entry_hash,
        }
        for e in rows
    ]


def export_state(*, user, now=None):
    """("none" | "preparing" | "ready", export): the person's data export and what to show of it.
    An export past its link's life counts as none (retention deletes it)."""
    export = PersonalDataExport.objects.filter(user=user).defer("archive").first()
    if export is None:
        return "none", None
    age = (now or timezone.now()) - (export.built_at or export.requested_at)
    if age.total_seconds() > settings.PRIVACY_EXPORT_LINK_MAX_AGE:
        return "none", None
    return ("ready" if export.built_at else "preparing"), export


def email_key_prefixes(user):
    """How the keys of emails meant for `user` begin (see each `enqueue_email` caller):
    account emails (to any address, a new one being confirmed included) and comment digests."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    kinds = ("verify", "taken", "change")
    return (
        *(f"accounts:{kind}:{user.pk}:" for kind in kinds),
        f"accounts:password-reset:{uid}:",
        f"comment-digest:{user.pk}:",
    )


def _notifications(user):
    rows = (
        CommentNotification.objects.filter(recipient=user)
        .select_related("comment__paper")
        .order_by("created_at", "pk")
    )
    return [
        {
            "comment": n.comment_id,
            "paper": n.comment.paper.title,
            "kind": n.kind,
            "noted_at": _when(n.created_at),
            "included_in_a_digest_at": _when(n.digested_at),
        }
        for n in rows
    ]


def _digest(user):
    digest = NotificationDigest.objects.filter(recipient=user).first()
    if digest is None:
        return None
    return {"next_due_at": _when(digest.due_at), "last_sent_at": _when(digest.last_sent_at)}


def _emails(user):
    """Emails to them the site still holds: waiting ones (to their address), and
    what is left of sent ones recognisable as theirs (subject and times; a sent
    email's addresses and body are deleted when it goes)."""
    prefixes = email_key_prefixes(user)
    theirs = Q()
    for prefix in prefixes:
        theirs |= Q(key__startswith=prefix)
    address = (user.email or "").lower()
    rows = []
    candidates = OutgoingEmail.objects.filter(theirs | Q(sent_at__isnull=True)).order_by("created_at", "pk")
    for e in candidates:
        waiting_for_them = e.sent_at is None and address in [a.lower() for a in e.to]
        if not waiting_for_them and not e.key.startswith(prefixes):
            continue
        rows.append(
            {
                "subject": e.subject,
                "to": e.to,
                "body": e.body,
                "queued_at": _when(e.created_at),
                "sent_at": _when(e.sent_at),
            }
        )
    return rows


def personal_data(*, user):
    """Everything held about `user`, section by section (see the export's README for each)."""
    return {
        "account": _account(user),
        "memberships": _memberships(user),
        "invitations": _invitations(user),
        "join_requests": _join_requests(user),
        "speaking_for": _voices(user),
        "comments": _comments(user),
        "reactions": _reactions(user),
        "proposals": _proposals(user),
        "flags": _flags(user),
        "follows": _follows(user),
        "email_updates": _subscriptions(user),
        "sign_offs": _signoffs(user),
        "record_entries": _record_entries(user),
        "comment_notifications": _notifications(user),
        "notification_digest": _digest(user),
        "emails": _emails(user),
    }
