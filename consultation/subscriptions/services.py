"""“Register your interest”: double opt-in email updates about a consultation.

Privacy rules kept here:
- whatever is typed, a valid address gets the same answer ("check your inbox"),
  so the form never reveals whether an address is subscribed;
- an address is emailed because of the form at most once an hour and at most
  `MAX_PROMPTS` times, so the form cannot be used to flood someone's inbox;
- only confirmed addresses receive updates, and every update carries a
  one-click unsubscribe link and `List-Unsubscribe` headers (RFC 2369, 8058);
- unsubscribing deletes the address.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consultation.models import PolicyPaperPage, StageChange, Subscription
from consultation.models.pages import Stage
from core.links import public_origin, site_url
from jobs.services import background, enqueue_email, job_enqueue

logger = logging.getLogger(__name__)

PROMPT_INTERVAL = timedelta(hours=1)
MAX_PROMPTS = 3
CONFIRM_LINK_MAX_AGE = timedelta(days=7)
SEND_BATCH = 200

BAD_ADDRESS = "Enter an email address in the correct format, like name@example.org."

STAGE_MEANING = {
    Stage.DRAFTING: "The policy team is preparing the draft.",
    Stage.REVIEW: "The invited working groups are examining the draft section by section. "
    "Their comments and reactions are public: you can read along.",
    Stage.SIGNOFF: "Each invited working group is recording whether it endorses the draft. "
    "Their positions and statements are published on the consultation page.",
    Stage.SCRUTINY: "The draft is open for public scrutiny: anyone with a confirmed email address "
    "can now comment, react and propose alternative wording.",
    Stage.FINAL: "The consultation has closed. The final paper and the report are published on the "
    "consultation page.",
}


def subscription_links(subscription):
    return {
        "confirm_url": site_url(
            reverse("consultation:subscription_confirm", kwargs={"token": subscription.make_token("confirm")})
        ),
        "unsubscribe_url": site_url(
            reverse("consultation:unsubscribe", kwargs={"token": subscription.make_token("unsubscribe")})
        ),
    }


def _message(*, template, subscription, context=None, list_headers=True, key):
    """Render `template` for `subscription` and send it in the background, once per `key`."""
    consultation = subscription.consultation
    links = subscription_links(subscription)
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": public_origin(),
        "consultation": consultation,
        "consultation_url": site_url(consultation.url or "/"),
        **links,
        **(context or {}),
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    headers = {}
    if list_headers:
        headers = {
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{consultation.title} <consultation-{consultation.pk}.updates>",
        }
    return enqueue_email(to=[subscription.email], subject=subject, body=body, headers=headers, key=key)


def _normalise(email):
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError(BAD_ADDRESS) from error
    local, _, domain = email.rpartition("@")
    # Domains are case-insensitive; local parts nearly always are in practice,
    # and treating them so keeps one person to one subscription.
    return f"{local}@{domain}".lower()


@transaction.atomic
def subscription_request(*, consultation, email):
    """Start (or nudge) a subscription for `email`. Raises `ValidationError` only
    for a malformed address; otherwise the caller shows the same "check your
    inbox" message whatever happened, and at most one email goes out.

    Returns nothing on purpose: callers must not branch on what happened."""
    email = _normalise(email)
    now = timezone.now()
    subscription, created = Subscription.objects.select_for_update().get_or_create(
        consultation=consultation, email=email
    )
    expired = now - subscription.created_at > CONFIRM_LINK_MAX_AGE
    if not created and subscription.status == Subscription.Status.PENDING and expired:
        # Every link sent so far has expired: start again with a fresh allowance.
        subscription.created_at = now
        subscription.prompts_sent = 0
        subscription.last_prompted_at = None
    if subscription.last_prompted_at and now - subscription.last_prompted_at < PROMPT_INTERVAL:
        return
    if subscription.prompts_sent >= MAX_PROMPTS:
        return
    subscription.last_prompted_at = now
    subscription.prompts_sent += 1
    subscription.save()

    if subscription.status == Subscription.Status.PENDING:
        template = "consultation/emails/subscription_confirm"
    else:
        # Tell the owner, not the person at the form, that they are already subscribed.
        template = "consultation/emails/subscription_exists"
    # Sent in the background after commit; a mail failure is retried there.
    _message(
        template=template,
        subscription=subscription,
        list_headers=False,
        key=f"subscription:{subscription.pk}:{subscription.created_at.timestamp()}:{subscription.prompts_sent}",
    )


@transaction.atomic
def subscription_confirm(*, subscription):
    """Confirm a pending subscription (idempotent)."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status != Subscription.Status.CONFIRMED:
        subscription.status = Subscription.Status.CONFIRMED
        subscription.confirmed_at = timezone.now()
        subscription.prompts_sent = 0
        subscription.save(update_fields=["status", "confirmed_at", "prompts_sent"])
    return subscription


@transaction.atomic
def subscription_cancel(*, subscription):
    """Unsubscribe: the address is deleted, not kept with a flag."""
    Subscription.objects.filter(pk=subscription.pk).delete()


def subscriptions_purge_unconfirmed(*, older_than=CONFIRM_LINK_MAX_AGE):
    """Delete addresses never confirmed whose links have expired. Returns how many."""
    cutoff = timezone.now() - older_than
    deleted, _ = Subscription.objects.filter(
        status=Subscription.Status.PENDING, created_at__lt=cutoff
    ).delete()
    return deleted


def _confirmed(consultation_id):
    return Subscription.objects.confirmed().filter(consultation_id=consultation_id)


def _send_to_confirmed(*, consultation_id, template, context, key):
    """One email per confirmed subscriber (each has its own unsubscribe link), each
    its own background job keyed `<key>:<subscription>`: a retried fan-out never
    emails anyone twice. Returns how many were enqueued."""
    subscribers = _confirmed(consultation_id).select_related("consultation").order_by("pk")
    count = 0
    for subscription in subscribers.iterator(chunk_size=SEND_BATCH):
        with transaction.atomic():
            _message(
                template=template, subscription=subscription, context=context, key=f"{key}:{subscription.pk}"
            )
        count += 1
    return count


def subscriptions_notify_stage_change(*, stage_change):
    """Email confirmed subscribers, in the background, that the consultation has
    changed stage. Call it in the move's transaction: the job starts after commit.
    Returns how many subscribers will be emailed."""
    job_enqueue(
        "consultation.subscriptions.services.subscriptions_send_stage_change",
        kwargs={"stage_change_id": stage_change.pk},
        key=f"stage-change:{stage_change.pk}",
        label=f"Stage change emails to subscribers of consultation {stage_change.consultation_id}",
    )
    return _confirmed(stage_change.consultation_id).count()


@background
def subscriptions_send_stage_change(*, stage_change_id):
    stage_change = StageChange.objects.select_related("consultation").get(pk=stage_change_id)
    to_stage = Stage(stage_change.to_stage)
    return _send_to_confirmed(
        consultation_id=stage_change.consultation_id,
        template="consultation/emails/stage_changed",
        context={
            "stage_change": stage_change,
            "to_stage": to_stage,
            "from_stage": Stage(stage_change.from_stage),
            "meaning": STAGE_MEANING[to_stage],
        },
        key=f"stage-change:{stage_change.pk}",
    )


def subscriptions_notify_new_version(*, paper, version_label, change_note="", reworded=()):
    """Email confirmed subscribers, in the background, that a new version of
    `paper` is published. Returns how many subscribers will be emailed.

    `reworded` names the sections whose wording changed (headings): reactions
    to them start afresh, so people who reacted are asked to react again."""
    job_enqueue(
        "consultation.subscriptions.services.subscriptions_send_new_version",
        kwargs={
            "paper_id": paper.pk,
            "version_label": version_label,
            "change_note": change_note,
            "reworded": [str(heading) for heading in reworded],
        },
        key=f"new-version:{paper.pk}:{version_label}",
        label=f"New version emails for “{paper.title}” {version_label}",
    )
    return _confirmed(paper.consultation.pk).count()


@background
def subscriptions_send_new_version(*, paper_id, version_label, change_note="", reworded=()):
    paper = PolicyPaperPage.objects.get(pk=paper_id)
    return _send_to_confirmed(
        consultation_id=paper.consultation.pk,
        template="consultation/emails/new_version",
        context={
            "paper": paper,
            "paper_url": site_url(paper.url or "/"),
            "version_label": version_label,
            "change_note": change_note,
            "reworded": list(reworded),
        },
        key=f"new-version:{paper.pk}:{version_label}",
    )
