"""Recording a group's position on a paper version.

The caller has already asked `consultation.sign_off_paper` for the paper and
checked that the actor convenes `group`; this service checks the input itself.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import POSITIONS_NEEDING_STATEMENT, Position, SectionPosition, SignOff
from ..signals import signoff_recorded

STATEMENT_MAX_LENGTH = 10_000


@dataclass(frozen=True)
class SectionPositionInput:
    section: object  # a wagtailcore Page, child of the paper
    position: str
    statement: str = ""


def _check_position(position, statement, *, where):
    errors = []
    if position not in Position.values:
        errors.append(f"Choose a position{where}.")
    elif position in POSITIONS_NEEDING_STATEMENT and not statement:
        errors.append(f"Give a statement{where}: it is required when you {Position(position).label.lower()}.")
    if len(statement) > STATEMENT_MAX_LENGTH:
        errors.append(f"The statement{where} must be at most {STATEMENT_MAX_LENGTH:,} characters.")
    return errors


@transaction.atomic
def signoff_record(*, group, paper, version_label, position, statement="", section_positions=(), actor):
    """Record `group`'s position on version `version_label` of `paper`.

    A statement is required to endorse with reservations or not to endorse, for
    the paper and for each section position. Recording again supersedes the
    group's earlier position on the same version; the earlier row is kept.
    Sends `signoff_recorded` inside the transaction."""
    statement = (statement or "").strip()
    errors = _check_position(position, statement, where="")
    cleaned_sections = []
    seen = set()
    for item in section_positions:
        section_statement = (item.statement or "").strip()
        title = getattr(item.section, "title", "")
        where = f" for the section “{title}”"
        # Sections are children of the paper in the page tree.
        if not (item.section.path.startswith(paper.path) and item.section.depth == paper.depth + 1):
            errors.append(f"“{title}” is not a section of this paper.")
            continue
        if item.section.pk in seen:
            errors.append(f"The section “{title}” was given more than one position.")
            continue
        seen.add(item.section.pk)
        errors.extend(_check_position(item.position, section_statement, where=where))
        cleaned_sections.append((item.section, item.position, section_statement))
    if not version_label:
        errors.append("The paper has no version label to sign off.")
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    previous = (
        SignOff.objects.select_for_update()
        .filter(group=group, paper=paper, version_label=version_label, superseded_at__isnull=True)
        .first()
    )
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    signoff = SignOff.objects.create(
        group=group,
        paper=paper,
        version_label=version_label,
        position=position,
        statement=statement,
        recorded_by=actor,
        recorded_at=now,
    )
    SectionPosition.objects.bulk_create(
        SectionPosition(signoff=signoff, section=section, position=pos, statement=text)
        for section, pos, text in cleaned_sections
    )
    # Inside the transaction: a receiver's record entry stands or falls with the sign-off.
    signoff_recorded.send(sender=SignOff, signoff=signoff, actor=actor, superseded=previous)
    return signoff
