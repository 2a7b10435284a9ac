"""“You said, we did”: recording the policy team's response to feedback."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from consultation.models import Response
from consultation.record.services import record_event
from consultation.versions.selectors import feedback_is_public

REASON_MAX_LENGTH = 5000


def response_create(*, actor, outcome, reason, comment=None, section=None, changed_in=None):
    """Respond to one comment, or to a section's feedback as a whole.

    Give exactly one of `comment` or `section`. `changed_in` is the published
    version in which the text changed, if it did; it must be a version of the
    same paper. The response is public, appears under the comment and in the
    section's history, and is recorded in the process record.

    Raises PermissionDenied unless `actor` may publish the paper, and
    ValidationError (by field) for anything else wrong.
    """
    if (comment is None) == (section is None):
        raise ValidationError({NON_FIELD_ERRORS: "Respond either to one comment or to a section's feedback."})
    if comment is not None:
        paper = comment.paper
        section = comment.section if comment.section_id else None
    else:
        paper = section.paper
    if not actor.has_perm("consultation.respond", paper):
        raise PermissionDenied("Only editors who may publish this paper can respond to its feedback.")

    errors = {}
    if outcome not in Response.Outcome.values:
        errors["outcome"] = "Choose whether the point was accepted, partly accepted or not accepted."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Give the reason: it is shown publicly with the outcome."
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Keep the reason to {REASON_MAX_LENGTH} characters (it has {len(reason)})."
    if changed_in is not None and changed_in.paper_id != paper.pk:
        errors["changed_in"] = "Choose a version of this paper."
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        response = Response.objects.create(
            paper=paper,
            section=section,
            comment=comment,
            outcome=outcome,
            reason=reason,
            changed_in=changed_in,
            responded_by=actor,
            responded_by_name=getattr(actor, "public_name", "") or actor.get_username(),
            created_at=timezone.now(),
        )
        if comment is not None:
            about = f"comment {comment.pk}"
            about += f" on section “{section.title}”" if section is not None else f" on “{paper.title}”"
        else:
            about = f"the feedback on section “{section.title}”"
        changed = f" The text changed in {changed_in.label}." if changed_in is not None else ""
        # Feedback on restricted text is withheld with it, and so is the reason given
        # in reply (it may quote either): the record keeps the outcome only.
        public_reason = f" {reason}" if feedback_is_public(paper=paper, live_section=section) else ""
        record_event(
            consultation=paper.consultation,
            kind="response",
            actor=actor,
            summary=f"Response to {about}: {response.get_outcome_display()}.{public_reason}{changed}",
            data={
                "response": response.pk,
                "paper": paper.pk,
                "section": section.pk if section is not None else None,
                "comment": comment.pk if comment is not None else None,
                "outcome": outcome,
                "changed_in": changed_in.label if changed_in is not None else None,
            },
        )
    return response
