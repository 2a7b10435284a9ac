"""Joining, changing role and leaving.

Callers have already asked the rules (`workinggroups.manage_group`,
`request_to_join`, `leave_group`); these functions check the state of things
(is the invitation still open, is the person already a member) and raise
`ValidationError` with a message fit to show the person.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Invitation, JoinRequest, Membership, Organisation
from ..signals import membership_changed
from .common import absolute_url, forget_cached_memberships, send_templated_email

INVITATION_VALID_FOR = timedelta(days=14)


def _normalise_email(email):
    return (email or "").strip().lower()


def _announce(*, membership, change, actor, previous=None):
    # Inside the transaction: a receiver's record entry stands or falls with the change.
    membership_changed.send(
        sender=Membership, membership=membership, change=change, actor=actor, previous=previous
    )


def organisation_resolve(*, organisation=None, name=""):
    """The organisation chosen from the list, or one named in free text (found
    case-insensitively, created if new), or None for an independent member."""
    if organisation is not None:
        return organisation
    name = " ".join((name or "").split())
    if not name:
        return None
    existing = Organisation.objects.filter(name__iexact=name).first()
    return existing or Organisation.objects.create(name=name)


def _open_membership(*, group, user, role, organisation, at=None):
    if Membership.objects.current().filter(group=group, user=user).exists():
        raise ValidationError(f"{user.public_name} is already a member of {group.name}.")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                group=group, user=user, role=role, organisation=organisation, joined_at=at or timezone.now()
            )
    except IntegrityError as error:
        # Two approvals racing: the partial unique index keeps one open spell.
        raise ValidationError(f"{user.public_name} is already a member of {group.name}.") from error
    forget_cached_memberships(user)
    return membership


def _close(membership, *, reason, actor, at):
    membership.left_at = at
    membership.ended_reason = reason
    membership.ended_by = actor
    membership.save(update_fields=["left_at", "ended_reason", "ended_by"])
    forget_cached_memberships(membership.user)
    # The actor may be the same person as another Python object (request.user).
    forget_cached_memberships(actor)


# ---------------------------------------------------------------- invitations


@transaction.atomic
def invitation_create(*, group, email, role, organisation=None, actor):
    """Invite an address to the group and email it a link valid for 14 days.

    Inviting an address that already has an open invitation refreshes it (new
    role and organisation, new expiry) and sends a new link; the old link stops
    working."""
    email = _normalise_email(email)
    if not email:
        raise ValidationError("Enter the email address to invite.")
    if role not in Membership.Role.values:
        raise ValidationError("Choose a role.")
    if Membership.objects.current().filter(group=group, user__email__iexact=email).exists():
        raise ValidationError(f"Someone with the address {email} is already a member of {group.name}.")

    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .filter(group=group, email=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation(group=group, email=email, created_at=now)
    else:
        invitation.nonce = Invitation._meta.get_field("nonce").default()
    invitation.role = role
    invitation.organisation = organisation
    invitation.invited_by = actor
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_VALID_FOR
    invitation.save()

    transaction.on_commit(lambda: _send_invitation(invitation))
    return invitation


def invitation_url(invitation):
    return absolute_url(reverse("workinggroups:invitation", kwargs={"token": invitation.make_token()}))


def _send_invitation(invitation):
    send_templated_email(
        template="workinggroups/emails/invitation",
        context={"invitation": invitation, "url": invitation_url(invitation)},
        to=[invitation.email],
        key=f"invitation:{invitation.pk}:{invitation.nonce}",
    )


@transaction.atomic
def invitation_revoke(*, invitation, actor):
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation has already been answered or withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    return invitation


def invitation_problem(*, invitation, user):
    """Why this user cannot accept this invitation now, or None if they can."""
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        return "This invitation has already been accepted."
    if status == Invitation.Status.REVOKED:
        return "This invitation has been withdrawn. Ask the group's convenor for a new one."
    if status == Invitation.Status.EXPIRED:
        return "This invitation has expired. Ask the group's convenor to send a new one."
    if _normalise_email(user.email) != invitation.email:
        # The link proves control of the invited address, not of this account.
        return (
            "This invitation was sent to a different email address. Sign in with the account "
            "that uses the address the invitation was sent to, or create one with that address."
        )
    if Membership.objects.current().filter(group=invitation.group, user=user).exists():
        return f"You are already a member of {invitation.group.name}."
    return None


@transaction.atomic
def invitation_accept(*, invitation, user):
    """Accept an invitation: opens a membership spell with the invited role and organisation.

    Following the link proves the person controls the invited address, so a
    matching account's email is marked verified."""
    invitation = Invitation.objects.select_for_update().select_related("group").get(pk=invitation.pk)
    problem = invitation_problem(invitation=invitation, user=user)
    if problem:
        raise ValidationError(problem)
    membership = _open_membership(
        group=invitation.group, user=user, role=invitation.role, organisation=invitation.organisation
    )
    invitation.accepted_at = membership.joined_at
    invitation.accepted_by = user
    invitation.membership = membership
    invitation.save(update_fields=["accepted_at", "accepted_by", "membership"])
    if hasattr(user, "email_verified") and not user.email_verified:
        user.email_verified = True
        try:
            with transaction.atomic():
                user.save(update_fields=["email_verified"])
        except IntegrityError:
            # Another account has this mailbox confirmed (one per mailbox): the
            # membership stands; this account's address stays unconfirmed.
            user.email_verified = False
    _announce(membership=membership, change="joined", actor=user)
    return membership


# ---------------------------------------------------------------- requests to join


@transaction.atomic
def join_request_create(*, group, user, organisation=None, organisation_name="", message=""):
    """Ask to join; the group's convenors are emailed after commit."""
    if Membership.objects.current().filter(group=group, user=user).exists():
        raise ValidationError(f"You are already a member of {group.name}.")
    if JoinRequest.objects.filter(group=group, user=user, status=JoinRequest.Status.PENDING).exists():
        raise ValidationError(f"You have already asked to join {group.name}. A convenor will reply.")
    organisation_name = " ".join((organisation_name or "").split())
    if organisation is not None:
        organisation_name = ""
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                group=group,
                user=user,
                organisation=organisation,
                organisation_name=organisation_name,
                message=(message or "").strip(),
            )
    except IntegrityError as error:
        raise ValidationError(
            f"You have already asked to join {group.name}. A convenor will reply."
        ) from error

    convenor_emails = list(
        Membership.objects.current()
        .convenors()
        .filter(group=group)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if convenor_emails:
        manage_url = absolute_url(reverse("workinggroups:manage", kwargs={"slug": group.slug}))
        transaction.on_commit(
            lambda: send_templated_email(
                template="workinggroups/emails/join_request",
                context={"join_request": join_request, "url": manage_url},
                to=convenor_emails,
                key=f"join-request:{join_request.pk}",
            )
        )
    return join_request


def _pending_request(join_request):
    join_request = (
        JoinRequest.objects.select_for_update().select_related("group", "user").get(pk=join_request.pk)
    )
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request has already been answered.")
    return join_request


@transaction.atomic
def join_request_approve(*, join_request, role=Membership.Role.MEMBER, actor):
    """Approve a request: opens a membership spell and tells the person."""
    join_request = _pending_request(join_request)
    if role not in Membership.Role.values:
        raise ValidationError("Choose a role.")
    organisation = organisation_resolve(
        organisation=join_request.organisation, name=join_request.organisation_name
    )
    membership = _open_membership(
        group=join_request.group, user=join_request.user, role=role, organisation=organisation
    )
    join_request.status = JoinRequest.Status.APPROVED
    join_request.decided_by = actor
    join_request.decided_at = membership.joined_at
    join_request.membership = membership
    join_request.save(update_fields=["status", "decided_by", "decided_at", "membership"])
    _announce(membership=membership, change="joined", actor=actor)
    _tell_requester(join_request)
    return membership


@transaction.atomic
def join_request_decline(*, join_request, note="", actor):
    join_request = _pending_request(join_request)
    join_request.status = JoinRequest.Status.DECLINED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.decision_note = (note or "").strip()
    join_request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _tell_requester(join_request)
    return join_request


@transaction.atomic
def join_request_withdraw(*, join_request, user):
    join_request = _pending_request(join_request)
    if join_request.user_id != user.pk:
        raise ValidationError("Only the person who asked can withdraw this request.")
    join_request.status = JoinRequest.Status.WITHDRAWN
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_at"])
    return join_request


def _tell_requester(join_request):
    if not join_request.user.email:
        return
    url = absolute_url(join_request.group.get_absolute_url())
    transaction.on_commit(
        lambda: send_templated_email(
            template="workinggroups/emails/join_request_decided",
            context={"join_request": join_request, "url": url},
            to=[join_request.user.email],
            key=f"join-request-decided:{join_request.pk}",
        )
    )


# ---------------------------------------------------------------- leaving and roles


def _current(membership):
    membership = Membership.objects.select_for_update().select_related("group", "user").get(pk=membership.pk)
    if not membership.is_current:
        raise ValidationError("This membership has already ended.")
    return membership


@transaction.atomic
def membership_leave(*, membership, actor):
    """Close a membership spell: by the member themselves (left) or by a
    convenor or staff (removed). The row stays, with its dates."""
    membership = _current(membership)
    reason = Membership.EndReason.LEFT if actor.pk == membership.user_id else Membership.EndReason.REMOVED
    _close(membership, reason=reason, actor=actor, at=timezone.now())
    _announce(membership=membership, change=reason.value, actor=actor)
    return membership


_UNCHANGED = object()


@transaction.atomic
def membership_change(*, membership, role=None, organisation=_UNCHANGED, actor):
    """Change a member's role or organisation: the old spell closes and a new
    one opens, so what the person could do, and for whom they spoke, at any
    date stays answerable."""
    membership = _current(membership)
    role = role or membership.role
    if role not in Membership.Role.values:
        raise ValidationError("Choose a role.")
    if organisation is _UNCHANGED:
        organisation = membership.organisation
    role_changed = role != membership.role
    organisation_changed = (organisation.pk if organisation else None) != membership.organisation_id
    if not role_changed and not organisation_changed:
        raise ValidationError(
            f"{membership.user.public_name} is already a {membership.get_role_display().lower()}"
            f" speaking for {membership.organisation_name}."
        )
    reason = Membership.EndReason.ROLE_CHANGED if role_changed else Membership.EndReason.ORGANISATION_CHANGED
    now = timezone.now()
    _close(membership, reason=reason, actor=actor, at=now)
    new = _open_membership(
        group=membership.group, user=membership.user, role=role, organisation=organisation, at=now
    )
    _announce(membership=new, change=reason.value, actor=actor, previous=membership)
    return new


def membership_change_role(*, membership, role, actor):
    """Change only the role (see `membership_change`)."""
    return membership_change(membership=membership, role=role, actor=actor)


@transaction.atomic
def membership_add(*, group, user, role, organisation=None, actor):
    """Staff add someone directly (from the Wagtail admin), without an invitation."""
    if role not in Membership.Role.values:
        raise ValidationError("Choose a role.")
    membership = _open_membership(group=group, user=user, role=role, organisation=organisation)
    _announce(membership=membership, change="joined", actor=actor)
    return membership
