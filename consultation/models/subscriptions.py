"""“Register your interest”: email updates about one consultation.

Addresses are personal data: they are used only to send the updates asked for,
never shown on a page, exported or put in the process record. A subscription
is confirmed by a link sent to the address (double opt-in) and deleted, not
flagged, when its owner unsubscribes.
"""

import secrets

from django.core import signing
from django.db import models
from django.utils import timezone

SUBSCRIPTION_SALT = "consultation.subscription"


def new_nonce():
    return secrets.token_urlsafe(16)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscription.Status.CONFIRMED)


class Subscription(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"

    consultation = models.ForeignKey(
        "consultation.ConsultationPage", on_delete=models.CASCADE, related_name="subscriptions"
    )
    # Stored lower-cased, so one address is one subscription.
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # Part of every link: a new nonce invalidates every link sent before it.
    nonce = models.CharField(max_length=40, default=new_nonce, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When we last emailed this address because someone typed it into the form:
    # repeated sign-ups are rate-limited by it.
    last_prompted_at = models.DateTimeField(null=True, blank=True)
    prompts_sent = models.PositiveSmallIntegerField(default=0)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "email"], name="one_subscription_per_address")
        ]
        indexes = [models.Index(fields=["consultation", "status"], name="subscription_status")]

    def __str__(self):
        # Never the address: this string can end up in logs and admin breadcrumbs.
        return f"Subscription {self.pk} to {self.consultation_id} ({self.status})"

    def make_token(self, purpose):
        return signing.dumps(
            {"s": self.pk, "n": self.nonce, "p": purpose}, salt=SUBSCRIPTION_SALT, compress=True
        )

    @classmethod
    def from_token(cls, token, *, purpose, max_age=None):
        """The subscription a link names, or None if the link is forged, garbled,
        too old, for another purpose, or its subscription no longer exists."""
        try:
            data = signing.loads(token, salt=SUBSCRIPTION_SALT, max_age=max_age)
        except signing.BadSignature:  # SignatureExpired is a BadSignature
            return None
        if not isinstance(data, dict) or data.get("p") != purpose:
            return None
        subscription = cls.objects.select_related("consultation").filter(pk=data.get("s")).first()
        if subscription is None or not secrets.compare_digest(subscription.nonce, str(data.get("n", ""))):
            return None
        return subscription
