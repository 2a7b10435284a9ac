"""Thin receivers that wire features together: what happens in working groups goes
into the public process record; a published version settles accepted proposals.

`workinggroups` sends its signals inside the transaction that made the
change, so each record entry commits or rolls back with it.
"""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from consultation.models import ConsultationPage, PolicyPaperPage
from consultation.models.pages import Stage
from consultation.models.record import SUBJECT_MARK
from consultation.pages import cache as page_cache
from consultation.pages.services import children_unpublish, publication_undo_if_orphaned
from consultation.proposals.services import proposals_mark_incorporated
from consultation.reactions import broadcast
from consultation.record.services import record_event
from consultation.restrictions.services import restriction_record_change
from consultation.search.services import search_reindex_dependants
from consultation.versions.signals import version_published
from workinggroups.signals import membership_changed, signoff_recorded

MEMBERSHIP_SUMMARIES = {
    "joined": "{name} joined {group} as a {role}, speaking for {organisation}.",
    "left": "{name} left {group}.",
    "removed": "A convenor ended the membership of {name} in {group}.",
    "role_changed": "The role of {name} in {group} changed from {previous_role} to {role}.",
    "organisation_changed": "{name} now speaks for {organisation} in {group}.",
}


@receiver(signoff_recorded, dispatch_uid="consultation.record_signoff")
def record_signoff(sender, *, signoff, actor, superseded=None, **kwargs):
    paper = signoff.paper.specific
    consultation = getattr(paper, "consultation", None)
    verb = "changed its position on" if superseded is not None else "recorded its position on"
    summary = (
        f"{signoff.group.name} {verb} “{paper.title}”, version {signoff.version_label}: "
        f"{signoff.get_position_display()}."
    )
    record_event(
        consultation=consultation if isinstance(consultation, ConsultationPage) else None,
        kind="sign_off",
        actor=actor,
        summary=summary,
        data={
            "group": signoff.group_id,
            "paper": paper.pk,
            "version": signoff.version_label,
            "position": signoff.position,
            "signoff": signoff.pk,
            "sections": signoff.section_positions.count(),
        },
    )


@receiver(membership_changed, dispatch_uid="consultation.record_membership")
def record_membership(sender, *, membership, change, actor, previous=None, **kwargs):
    """A change of membership changes who may take part in the group's
    consultations, so it goes into the record of each one still running (or,
    for a group with none, into the record as a whole)."""
    template = MEMBERSHIP_SUMMARIES.get(change)
    if template is None:
        return
    summary = template.format(
        name=SUBJECT_MARK,
        group=membership.group.name,
        role=membership.get_role_display().lower(),
        previous_role=previous.get_role_display().lower() if previous else "",
        organisation=membership.organisation_name,
    )
    data = {
        "group": membership.group_id,
        "membership": membership.pk,
        "change": change,
        "role": membership.role,
    }
    consultations = list(
        ConsultationPage.objects.filter(invited_groups=membership.group).exclude(current_stage=Stage.FINAL)
    )
    for consultation in consultations or [None]:
        record_event(
            consultation=consultation,
            kind="membership",
            actor=actor,
            summary=summary,
            data=data,
            subject=membership.user,
        )


# Connected before the receivers below, which then see a publication undone as not live.
@receiver(page_published, dispatch_uid="consultation.unpublish_if_orphaned")
def unpublish_if_orphaned(sender, instance, **kwargs):
    """Published under an unpublished parent by a route the admin's check did not see (an
    alias of a page published elsewhere included)."""
    publication_undo_if_orphaned(instance)


@receiver(page_published, dispatch_uid="consultation.record_restriction")
def record_restriction(sender, instance, revision=None, **kwargs):
    """A paper or section published with a changed restriction goes into the record."""
    if kwargs.get("alias") or not instance.live:
        return
    restriction_record_change(page=instance, actor=getattr(revision, "user", None))
    # Restricted text leaves the public search index with it (and returns when it is lifted).
    search_reindex_dependants(page=instance)
    _recheck_open_sockets(instance)


@receiver(page_unpublished, dispatch_uid="consultation.recheck_sockets_on_unpublish")
def recheck_sockets_on_unpublish(sender, instance, **kwargs):
    _recheck_open_sockets(instance)


@receiver(page_unpublished, dispatch_uid="consultation.unpublish_children")
def unpublish_children(sender, instance, **kwargs):
    """A consultation or paper taken off the site takes its pages with it."""
    children_unpublish(instance)


@receiver(post_page_move, dispatch_uid="consultation.unpublish_if_moved_under_unpublished")
def unpublish_if_moved_under_unpublished(sender, instance, **kwargs):
    """Moved, live, under an unpublished parent (Wagtail sends the page unspecific)."""
    publication_undo_if_orphaned(instance.specific)


def _recheck_open_sockets(page):
    """A paper published (perhaps now restricted) or unpublished: its open
    sockets ask the rule again once the change has committed."""
    if isinstance(page, PolicyPaperPage):
        paper_id = page.pk
        transaction.on_commit(lambda: broadcast.paper_access_changed(paper_id=paper_id))


@receiver(version_published, dispatch_uid="consultation.proposals_incorporated")
def mark_incorporated_proposals(sender, *, paper, version, actor, **kwargs):
    """Accepted proposals whose draft is now published text were incorporated in this version."""
    proposals_mark_incorporated(paper=paper, version=version, actor=actor)


# Cached pages and fragments are tagged with generations: writes bump them (pages/cache.py).
page_cache.connect()
