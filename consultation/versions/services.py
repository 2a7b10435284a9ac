"""Publishing a named version of a paper."""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from consultation.models import PaperVersion, PolicyPaperPage, SectionVersion
from consultation.reactions import broadcast
from consultation.reactions.selectors import reaction_tallies
from consultation.record.services import record_event
from consultation.subscriptions.services import subscriptions_notify_new_version
from consultation.versions.diff import paper_diff
from consultation.versions.selectors import (
    attach_live_sections,
    paper_snapshot,
    snapshot_matches,
    text_is_public,
)
from consultation.versions.signals import version_published

logger = logging.getLogger(__name__)

CHANGE_NOTE_MAX_LENGTH = 2000


VERSION_NAME_MAX_LENGTH = 120


def version_publish(*, paper, actor, change_note, name=""):
    """Freeze the paper's current published text as its next named version (v1, v2, …).

    Every live section is snapshotted with its heading, rendered text and
    restriction. The paper's `version_label` becomes the new label, so comments,
    reactions and sign-offs made from now on belong to this version. The event
    goes into the public process record, and mailing-list subscribers are told
    once the transaction commits.

    Raises PermissionDenied unless `actor` may publish the paper, and
    ValidationError for an empty change note, a paper without published
    sections, or a text identical to the latest version.
    """
    if not actor.has_perm("consultation.publish_version", paper):
        raise PermissionDenied("Only editors who may publish this paper can publish a version of it.")
    change_note = (change_note or "").strip()
    name = " ".join((name or "").split())
    if len(name) > VERSION_NAME_MAX_LENGTH:
        raise ValidationError({"name": f"Keep the name to {VERSION_NAME_MAX_LENGTH} characters."})
    if not change_note:
        raise ValidationError(
            {"change_note": "Say what changed in this version: the note is shown publicly."}
        )
    if len(change_note) > CHANGE_NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "change_note": f"Keep the change note to {CHANGE_NOTE_MAX_LENGTH} characters "
                f"(it has {len(change_note)})."
            }
        )

    with transaction.atomic():
        # Lock the paper row so two editors publishing at once get v2 and v3, not two v2s.
        PolicyPaperPage.objects.select_for_update().filter(pk=paper.pk).exists()
        previous = PaperVersion.objects.filter(paper=paper).order_by("-number").first()
        version, snapshots = paper_snapshot(paper=paper)
        if not snapshots:
            raise ValidationError(
                {NON_FIELD_ERRORS: "The paper has no published sections yet, so there is nothing to publish."}
            )
        previous_sections = []
        if previous is not None:
            previous.paper = paper
            previous_sections = list(SectionVersion.objects.filter(version=previous).order_by("position"))
            for snapshot in previous_sections:
                snapshot.version = previous
            attach_live_sections(paper, previous_sections)
            if snapshot_matches(previous, previous_sections, version, snapshots):
                message = f"Nothing has changed since {previous.label}, so there is no new version."
                raise ValidationError({NON_FIELD_ERRORS: message})

        version.number = previous.number + 1 if previous else 1
        version.label = f"v{version.number}"
        version.change_note = change_note
        version.name = name
        version.published_at = timezone.now()
        version.published_by = actor
        version.published_by_name = getattr(actor, "public_name", "") or actor.get_username()
        version.save()
        for snapshot in snapshots:
            snapshot.version = version
        SectionVersion.objects.bulk_create(snapshots)

        closing_tallies = (
            _closing_tallies(paper, previous, previous_sections) if previous is not None else None
        )

        # Managed here only: the admin shows it read-only and revisions never restore it.
        PolicyPaperPage.objects.filter(pk=paper.pk).update(version_label=version.label)
        paper.version_label = version.label

        changes = _changes_since(previous, previous_sections, snapshots)
        record_event(
            consultation=paper.consultation,
            kind="version_published",
            actor=actor,
            summary=f"{version.display_label} of “{paper.title}” was published. Change note: {change_note}",
            data={
                "paper": paper.pk,
                "version": version.number,
                "label": version.label,
                "sections": len(snapshots),
                **changes,
                "closing_tallies": closing_tallies,
            },
        )
        # Features above this one act in the same transaction (proposals:
        # accepted drafts now published were incorporated in this version).
        version_published.send(sender=PaperVersion, paper=paper, version=version, actor=actor)
        changed = set(changes.get("changed") or ())
        reworded = [s.heading for s in snapshots if s.section_id in changed and s.text_public]
        transaction.on_commit(lambda: _notify_subscribers(version, reworded=reworded))
        # A new version starts fresh tallies: open pages get the new snapshot.
        transaction.on_commit(lambda: broadcast.tallies_reset(paper_id=paper.pk))
    return version


def _changes_since(previous, previous_sections, snapshots):
    """Public counts of what changed. A restricted section's changes are not counted."""
    if previous is None:
        return {"previous": None}
    for snapshot in snapshots:
        snapshot.text_public = text_is_public(snapshot)
    diff = paper_diff(previous_sections, snapshots, is_public=lambda s: s.text_public)
    return {
        "previous": previous.label,
        "changed": [c.section_id for c in diff.changes if c.status == "changed"],
        "added": [c.section_id for c in diff.changes if c.status == "added"],
        "removed": [c.section_id for c in diff.changes if c.status == "removed"],
        "moved": [c.section_id for c in diff.changes if c.moved],
    }


def _closing_tallies(paper, previous, previous_sections):
    """The outgoing version's final tallies, kept in the record (reactions to
    each section's wording in that version, whenever made). Sections whose
    text is withheld are left out, and a restricted paper's activity is not
    published at all."""
    if paper.restricted:
        return None
    label = previous.label
    public_ids = [s.section_id for s in previous_sections if s.text_public]
    tallies = reaction_tallies(paper_id=paper.pk, section_ids=public_ids, version_label=label)
    return {
        "version": label,
        "sections": {
            str(section_id): {
                "counts": tallies[f"section:{section_id}"]["counts"],
                "by_group": tallies[f"section:{section_id}"]["by_group"],
            }
            for section_id in public_ids
        },
    }


def _notify_subscribers(version, *, reworded=()):
    """Tell the consultation's mailing list, after the version is committed."""
    try:
        subscriptions_notify_new_version(
            paper=version.paper,
            version_label=version.label,
            change_note=version.change_note,
            reworded=reworded,
        )
    except Exception:
        # The version is published and recorded; a failed email must not hide that.
        logger.exception("Could not notify subscribers of %s", version)
