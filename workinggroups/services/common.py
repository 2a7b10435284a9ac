import uuid

from django.conf import settings
from django.template.loader import render_to_string

from core.links import public_origin, site_url
from jobs.services import enqueue_email


def absolute_url(path):
    """Links in emails are built from SITE_URL, never from the request's Host header."""
    return site_url(path)


def send_templated_email(*, template, context, to, key=None):
    """Plain-text email from `<template>_subject.txt` and `<template>.txt`, sent in
    the background once per `key` (jobs.services.enqueue_email); without a key,
    each call is a new email. Built now, so its links use this request's address."""
    context = {"site_name": settings.SITE_NAME, "site_url": public_origin(), **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    key = key or f"{template}:{uuid.uuid4().hex}"
    return enqueue_email(to=list(to), subject=subject, body=body, key=key)


def forget_cached_memberships(user):
    """Permission predicates cache a user's memberships for the request; a change
    made during the request must not be answered from the stale cache."""
    if user is not None:
        for key in ("_group_memberships", "_consultation_memberships"):
            user.__dict__.pop(key, None)
