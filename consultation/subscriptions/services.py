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
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consultation.models import Subscription
from consultation.models.pages import Stage
from core.links import public_origin, site_url

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


def _message(*, template, subscription, context=None, list_headers=True):
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
    return EmailMessage(subject=subject, body=body, to=[subscription.email], headers=headers)


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
    subscription_id = subscription.pk
    transaction.on_commit(lambda: _send_prompt(subscription_id, template))


def _send_prompt(subscription_id, template):
    subscription = Subscription.objects.select_related("consultation").filter(pk=subscription_id).first()
    if subscription is None:
        return
    try:
        _message(template=template, subscription=subscription, list_headers=False).send()
    except Exception:
        # The sign-up is saved; the person can ask again after the interval.
        logger.exception("Could not send %s for subscription %s", template, subscription_id)


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


def _send_to_confirmed(*, consultation, template, context):
    """One email per confirmed subscriber (each has its own unsubscribe link),
    sent over one connection in batches. Returns how many were sent."""
    subscribers = (
        Subscription.objects.confirmed()
        .filter(consultation=consultation)
        .select_related("consultation")
        .order_by("pk")
    )
    sent = 0
    batch = []
    connection = get_connection()

    def flush():
        nonlocal sent
        try:
            sent += connection.send_messages(batch) or 0
        except Exception:
            # The stage has moved and is recorded; a mail server failure must
            # not undo that or hide it from the editor as a crash.
            logger.exception("Could not send %s to %d subscribers", template, len(batch))
        batch.clear()

    for subscription in subscribers.iterator(chunk_size=SEND_BATCH):
        batch.append(_message(template=template, subscription=subscription, context=context))
        if len(batch) >= SEND_BATCH:
            flush()
    if batch:
        flush()
    return sent


def subscriptions_notify_stage_change(*, stage_change):
    """Email confirmed subscribers that the consultation has changed stage."""
    to_stage = Stage(stage_change.to_stage)
    return _send_to_confirmed(
        consultation=stage_change.consultation,
        template="consultation/emails/stage_changed",
        context={
            "stage_change": stage_change,
            "to_stage": to_stage,
            "from_stage": Stage(stage_change.from_stage),
            "meaning": STAGE_MEANING[to_stage],
        },
    )


def subscriptions_notify_new_version(*, paper, version_label, change_note="", reworded=()):
    """Email confirmed subscribers that a new version of `paper` is published.

    `reworded` names the sections whose wording changed (headings): reactions
    to them start afresh, so people who reacted are asked to react again.
    For the versions feature to call (after its own commit)."""
    return _send_to_confirmed(
        consultation=paper.consultation,
        template="consultation/emails/new_version",
        context={
            "paper": paper,
            "paper_url": site_url(paper.url or "/"),
            "version_label": version_label,
            "change_note": change_note,
            "reworded": list(reworded),
        },
    )
