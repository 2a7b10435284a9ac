"""Ways into a group: an invitation sent by a convenor, or a request made by the person."""

import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .groups import Membership, Organisation, WorkingGroup

INVITATION_SALT = "workinggroups.invitation"


def new_nonce():
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """An invitation to join a group, sent to an email address.

    The link carries a signed token naming this row and a nonce; sending the
    invitation again rotates the nonce, so only the newest link works. Expiry
    lives in the row so an administrator can see and extend it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a reply"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Withdrawn"
        EXPIRED = "expired", "Expired"

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The organisation the person will speak for. Empty means independent.",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    nonce = models.CharField(max_length=40, default=new_nonce, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address per group; inviting again refreshes it.
            models.UniqueConstraint(
                fields=["group", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_address",
            )
        ]

    def __str__(self):
        # Never the address: this string is the admin's title and breadcrumb, seen by staff who
        # do not manage accounts (and it can end up in logs).
        return f"Invitation {self.pk} to {self.group}"

    @property
    def status(self):
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self):
        return self.Status(self.status).label

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def make_token(self):
        return signing.dumps({"i": self.pk, "n": self.nonce}, salt=INVITATION_SALT, compress=True)

    @classmethod
    def from_token(cls, token):
        """The invitation a link names, or None if the token is forged, garbled or superseded."""
        try:
            data = signing.loads(token, salt=INVITATION_SALT)
        except signing.BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        invitation = (
            cls.objects.select_related("group", "organisation", "invited_by").filter(pk=data.get("i")).first()
        )
        if invitation is None or not secrets.compare_digest(invitation.nonce, str(data.get("n", ""))):
            return None
        return invitation


class JoinRequest(models.Model):
    """A person asks to join a group; a convenor approves or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a convenor"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation_name = models.CharField(
        max_length=200, blank=True, help_text="An organisation not yet listed, as the person typed it."
    )
    message = models.TextField(blank=True, help_text="Why the person wants to join.")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(status="pending"),
                name="one_pending_join_request_per_person",
            )
        ]

    def __str__(self):
        return f"{self.user} asks to join {self.group}"

    @property
    def organisation_label(self):
        if self.organisation:
            return self.organisation.name
        return self.organisation_name or "Independent"
