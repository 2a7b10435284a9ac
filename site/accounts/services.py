"""Accounts: signing up, confirming an email address, changing a profile.

Confirmation links are signed tokens (django.core.signing) naming the user and
the address they were sent to: changing the address makes older links
useless, and nothing needs storing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

VERIFY_SALT = "accounts.verify-email"
VERIFY_MAX_AGE = 60 * 60 * 24 * 7  # a week


def email_verification_token(user):
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=VERIFY_SALT)


def email_verification_send(*, user):
    """Email `user` a link that confirms their address (after the transaction commits)."""
    link = settings.SITE_URL + reverse("verify_email", args=[email_verification_token(user)])
    context = {"user": user, "link": link, "site_name": settings.SITE_NAME, "days": VERIFY_MAX_AGE // 86400}
    text = render_to_string("registration/verify_email.txt", context)
    transaction.on_commit(
        lambda: send_mail(f"Confirm your email address for {settings.SITE_NAME}", text, None, [user.email])
    )


def email_verify(*, token):
    """Mark the address in `token` as confirmed. Returns the user, or None if
    the link is forged, expired, or for an address the account no longer has."""
    try:
        value = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
        user_id, email = int(value["u"]), str(value["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email.lower() != email:
        return None
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return user


@transaction.atomic
def user_signup(*, username, email, password, display_name, organisation=""):
    """Create an account (email not yet confirmed) and send the confirmation link."""
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
def profile_update(*, user, display_name, organisation, pseudonym, use_pseudonym, email):
    """Change what others see, and the email address; a new address must be confirmed again."""
    email_changed = email.lower() != user.email.lower()
    user.display_name = display_name
    user.organisation = organisation
    user.pseudonym = pseudonym
    user.use_pseudonym = use_pseudonym and bool(pseudonym)
    user.email = email
    if email_changed:
        user.email_verified = False
    user.save()
    if email_changed:
        email_verification_send(user=user)
    return user
