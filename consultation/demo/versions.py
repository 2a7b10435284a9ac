"""Demo data for versions and “you said, we did”.

Two steps, so that other features' demo activity can sit between them:

- `publish_first_version`: the editor publishes v1 of the demo paper (the text
  the working groups review).
- `publish_revised_version`: the editor revises three sections, publishes v2
  with a change note, and responds to the feedback that led to the changes —
  to a comment on a changed section if the comments demo made one, and to a
  section's feedback as a whole.

Both go through the same services as the admin, so the versions, the diffs,
the responses and their process-record entries are real. Idempotent: each step
does nothing if its version already exists.
"""

import json

from consultation.models import Comment, PaperVersion, Response, SectionPage
from consultation.versions.responses import response_create
from consultation.versions.services import version_publish

V1_NOTE = "First draft for review by the invited working groups."
V2_NOTE = (
    "Revised after the first weeks of working-group review: access logs are kept for longer, breaches are "
    "reported faster, and the risks section now names the risk of profiling. Other sections are unchanged."
)

# (section slug, text in v1, text in v2): small, real edits the diff will show word by word.
EDITS = [
    (
        "safeguards",
        "Every access to shared data is logged, and the logs are kept for at least two years.",
        "Every access to shared data is logged, the logs are kept for at least six years, and a summary of "
        "them is published every year.",
    ),
    (
        "governance-and-sanctions",
        "Breaches of an agreement are reported to the board within 72 hours,",
        "Breaches of an agreement are reported to the board within 48 hours, and to the people affected "
        "without undue delay,",
    ),
    (
        "risks-to-privacy-and-trust",
        "because they fear where their data will go.",
        "because they fear where their data will go, or that it will be combined into a profile of them "
        "that no single service holds or needs.",
    ),
]


def _versions(demo):
    return PaperVersion.objects.filter(paper=demo.paper)


def publish_first_version(demo):
    if _versions(demo).exists():
        return
    version = version_publish(paper=demo.paper, actor=demo.editor, change_note=V1_NOTE)
    demo.note(f"version {version.label} of {demo.paper.slug}")


def _replace(value, old, new):
    """`value` (a StreamField's raw data) with the phrase `old` replaced wherever it appears."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, old, new) for key, item in value.items()}
    return value


def _revise(section, old, new, editor):
    """Replace a phrase in a section's published body, as an editor would, and publish it."""
    page = SectionPage.objects.get(pk=section.pk)
    raw = list(page.body.raw_data)
    if old not in json.dumps(raw, ensure_ascii=False):
        return False
    page.body = json.dumps(_replace(raw, old, new))
    page.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
    return True


def publish_revised_version(demo):
    versions = _versions(demo)
    if versions.filter(number__gte=2).exists() or not versions.exists():
        return
    editor = demo.editor
    changed = [slug for slug, old, new in EDITS if _revise(demo.sections[slug], old, new, editor)]
    v2 = version_publish(paper=demo.paper, actor=editor, change_note=V2_NOTE)
    demo.note(f"version {v2.label} of {demo.paper.slug} ({len(changed)} sections revised)")

    safeguards = demo.sections["safeguards"]
    comment = (
        Comment.objects.filter(paper=demo.paper, section=safeguards, hidden_at__isnull=True, level=0)
        .order_by("submit_date")
        .first()
    )
    if comment is not None:
        response_create(
            actor=editor,
            comment=comment,
            outcome=Response.Outcome.ACCEPTED,
            reason=(
                "Agreed: two years was too short for anyone to check how data had been used. Access logs are "
                "now kept for six years, and a summary is published every year."
            ),
            changed_in=v2,
        )
    else:
        response_create(
            actor=editor,
            section=safeguards,
            outcome=Response.Outcome.ACCEPTED,
            reason=(
                "Several groups said two years was too short for anyone to check how data had been used. "
                "Access logs are now kept for six years, and a summary is published every year."
            ),
            changed_in=v2,
        )
    response_create(
        actor=editor,
        section=demo.sections["governance-and-sanctions"],
        outcome=Response.Outcome.PARTLY_ACCEPTED,
        reason=(
            "Breaches are now reported within 48 hours and people affected are told without undue delay. We "
            "have not adopted fines for individual officers: sanctions stay with the bodies responsible."
        ),
        changed_in=v2,
    )
    demo.note("responses to the working groups' feedback")
