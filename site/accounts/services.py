"""Accounts: signing up, confirming an email address, changing a profile.

Confirmation links are signed tokens (django.core.signing) naming the user and
the address they were sent to: changing the address makes older links
useless, and nothing needs storing. A new address waits in its link: the
account keeps its old one until the link is followed and the button pressed.

One mailbox, one account (core/emails.py says which spellings reach one
mailbox). Signing up or changing to an address whose mailbox already has an
account looks exactly like success to whoever typed it; the mailbox's owner
gets an email saying so instead, so nobody learns from the form who has an
account.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from core.emails import email_key
from core.links import site_url
from jobs.services import enqueue_email

VERIFY_SALT = "accounts.verify-email"
CHANGE_SALT = "accounts.change-email"
MAILBOX_TAKEN = (
    "Another account already uses this mailbox. Sign in to that account, or reset its password, instead."
)
VERIFY_MAX_AGE = 60 * 60 * 24 * 7  # a week


def email_verification_token(user):
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=VERIFY_SALT)


def email_verification_send(*, user):
    """Email `user` a link that confirms their address (after the transaction commits)."""
    link = site_url(reverse("verify_email", args=[email_verification_token(user)]))
    context = {"user": user, "link": link, "site_name": settings.SITE_NAME, "days": VERIFY_MAX_AGE // 86400}
    text = render_to_string("registration/verify_email.txt", context)
    enqueue_email(
        to=[user.email],
        subject=f"Confirm your email address for {settings.SITE_NAME}",
        body=text,
        key=f"accounts:verify:{user.pk}:{uuid.uuid4().hex}",
    )


def email_verify(*, token):
    """Mark the address in `token` as confirmed. Returns the user, or None if
    the link is forged, expired, or for an address the account no longer has;
    raises ValidationError if another confirmed account holds the mailbox."""
    user = email_verification_link_check(token=token)
    if user is None:
        return None
    if not user.email_verified:
        if _mailbox_holder(user.email, exclude=user, verified_only=True) is not None:
            raise ValidationError(MAILBOX_TAKEN)
        user.email_verified = True
        try:
            with transaction.atomic():
                user.save(update_fields=["email_verified"])
        except IntegrityError:  # confirmed by another account a moment ago
            raise ValidationError(MAILBOX_TAKEN) from None
    return user


def email_verification_link_check(*, token):
    """The account a confirmation link would confirm, without confirming it (for the GET page)."""
    try:
        value = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
        user_id, email = int(value["u"]), str(value["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return user if user is not None and user.email.lower() == email else None


def _mailbox_holder(address, *, exclude=None, verified_only=False):
    """The account, other than `exclude`, whose address reaches the same mailbox as `address`."""
    key = email_key(address)
    if not key:
        return None
    users = get_user_model().objects.filter(email_key=key)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    if verified_only:
        users = users.filter(email_verified=True)
    return users.order_by("-email_verified", "date_joined").first()


def _mailbox_taken_notice(*, holder, attempt):
    """Tell the mailbox's owner that someone tried to use it for another account."""
    context = {
        "user": holder,
        "attempt": attempt,
        "site_name": settings.SITE_NAME,
        "login_url": site_url(reverse("login")),
        "reset_url": site_url(reverse("password_reset")),
    }
    text = render_to_string("registration/mailbox_taken_email.txt", context)
    subject = f"Someone tried to use your email address on {settings.SITE_NAME}"
    enqueue_email(
        to=[holder.email], subject=subject, body=text, key=f"accounts:taken:{holder.pk}:{uuid.uuid4().hex}"
    )


@transaction.atomic
def user_signup(*, username, email, password, display_name, organisation=""):
    """Create an account (email not yet confirmed) and send the confirmation link.

    If the address's mailbox already has an account, create nothing, email that
    account's owner instead, and return None: callers answer as for success."""
    holder = _mailbox_holder(email)
    if holder is not None:
        # Hash the password anyway: creating an account takes that long, and
        # a quicker answer would tell that the mailbox has one.
        make_password(password)
        _mailbox_taken_notice(holder=holder, attempt="signup")
        return None
    user = get_user_model().objects.create_user(
        username=username,
        email=email,
        password=password,
        display_name=display_name,
        organisation=organisation,
        email_verified=False,
    )
    email_verification_send(user=user)
    return user


@transaction.atomic
def profile_update(*, user, display_name, organisation, pseudonym, use_pseudonym):
    """Change what others see. The email address changes through `email_change_request`."""
    user.display_name = display_name
    user.organisation = organisation
    user.pseudonym = pseudonym
    user.use_pseudonym = use_pseudonym and bool(pseudonym)
    user.save(update_fields=["display_name", "organisation", "pseudonym", "use_pseudonym"])
    return user


def email_change_token(user, new_email):
    return signing.dumps({"u": user.pk, "e": new_email, "o": user.email.lower()}, salt=CHANGE_SALT)


def email_change_request(*, user, email):
    """Send `user` a link, to `email`, that moves the account to that address.

    The account keeps its address until the link is followed. If the mailbox
    belongs to another account, its owner is told instead; the caller answers
    as if the link had been sent."""
    holder = _mailbox_holder(email, exclude=user)
    if holder is not None:
        _mailbox_taken_notice(holder=holder, attempt="email_change")
        return
    link = site_url(reverse("email_change_confirm", args=[email_change_token(user, email)]))
    context = {
        "user": user,
        "link": link,
        "email": email,
        "site_name": settings.SITE_NAME,
        "days": VERIFY_MAX_AGE // 86400,
    }
    text = render_to_string("registration/email_change_email.txt", context)
    subject = f"Confirm your new email address for {settings.SITE_NAME}"
    enqueue_email(to=[email], subject=subject, body=text, key=f"accounts:change:{user.pk}:{uuid.uuid4().hex}")


def email_change_load(*, token):
    """(user, new address) from a change link, or None if the link is forged,
    expired, or the account's address changed since it was sent."""
    try:
        value = signing.loads(token, salt=CHANGE_SALT, max_age=VERIFY_MAX_AGE)
        user_id, new_email, old_email = int(value["u"]), str(value["e"]), str(value["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email.lower() != old_email:
        return None
    return user, new_email


@transaction.atomic
def email_change_confirm(*, token):
    """Move the account in `token` to its new, now confirmed, address.

    Returns the user, None for a link that does not work, and raises
    ValidationError if another account took the mailbox meanwhile."""
    loaded = email_change_load(token=token)
    if loaded is None:
        return None
    user, new_email = loaded
    if _mailbox_holder(new_email, exclude=user) is not None:
        raise ValidationError(MAILBOX_TAKEN)
    user.email = new_email
    user.email_verified = True
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified"])
    except IntegrityError:
        raise ValidationError(MAILBOX_TAKEN) from None
    return user
