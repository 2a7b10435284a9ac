from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from core.links import public_origin, site_url


def absolute_url(path):
    """Links in emails are built from SITE_URL, never from the request's Host header."""
    return site_url(path)


def send_templated_email(*, template, context, to):
    """Plain-text email from `<template>_subject.txt` and `<template>.txt`."""
    context = {"site_name": settings.SITE_NAME, "site_url": public_origin(), **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    EmailMessage(subject=subject, body=body, to=list(to)).send()


def forget_cached_memberships(user):
    """Permission predicates cache a user's memberships for the request; a change
    made during the request must not be answered from the stale cache."""
    if user is not None:
        for key in ("_group_memberships", "_consultation_memberships"):
            user.__dict__.pop(key, None)
