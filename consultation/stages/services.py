"""Moving a consultation between stages: drafting → working-group review →
sign-off → public scrutiny → final.

One action, whoever asks (the Wagtail admin view, the scheduled command or a
script): check the move, block public scrutiny until every invited group has
signed off (unless overridden with a published reason), save the stage,
record the move, tell the subscribers after commit. The caller has already
asked `consultation.move_stage`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from consultation.models import ConsultationPage, StageChange
from consultation.models.pages import Stage
from consultation.record.services import record_event
from consultation.signoffs.selectors import consultation_signoff_status
from consultation.subscriptions.services import subscriptions_notify_stage_change
from core.page_cache import bump

STAGE_ORDER = list(Stage)


def stage_moves_allowed(*, stage):
    """Stages reachable from `stage`: the next one, or back to the one before."""
    index = STAGE_ORDER.index(Stage(stage))
    return [STAGE_ORDER[i] for i in (index + 1, index - 1) if 0 <= i < len(STAGE_ORDER)]


def _names(groups):
    return [group.name for group in groups]


def _summary(*, from_stage, to_stage, backwards, missing, reason):
    if backwards:
        summary = f"The consultation moved back from {from_stage.label} to {to_stage.label}."
    else:
        summary = f"The consultation moved from {from_stage.label} to {to_stage.label}."
    if missing:
        summary += (
            " Public scrutiny opened before every invited working group had recorded its position"
            f" (waiting for: {', '.join(missing)})."
        )
    if reason:
        summary += f" Reason: {reason}"
    return summary


@transaction.atomic
def consultation_move_stage(*, consultation, to_stage, actor, reason="", override=False):
    """Move `consultation` to `to_stage` and return the recorded `StageChange`.

    Moves go one stage at a time, forwards or (with a reason) back. Opening
    public scrutiny needs a position from every invited group on the current
    version of every live paper; `override=True` with a reason opens it anyway,
    and the record names the groups still missing. Raises `ValidationError`
    with messages for the editor; nothing is saved then. Confirmed subscribers
    are emailed after commit. `actor` None means a scheduled move."""
    try:
        to_stage = Stage(to_stage)
    except ValueError as error:
        raise ValidationError("Choose a stage.") from error
    reason = " ".join((reason or "").split())
    # Lock the page row: two editors moving at once must not both pass the checks.
    locked = ConsultationPage.objects.select_for_update().get(pk=consultation.pk)
    from_stage = Stage(locked.current_stage)

    if to_stage == from_stage:
        raise ValidationError(f"The consultation is already in the {from_stage.label} stage.")
    allowed = stage_moves_allowed(stage=from_stage)
    if to_stage not in allowed:
        choices = " or ".join(stage.label for stage in allowed)
        raise ValidationError(
            f"Stages move one at a time: from {from_stage.label} the consultation can move to {choices}."
        )
    backwards = STAGE_ORDER.index(to_stage) < STAGE_ORDER.index(from_stage)
    if backwards and not reason:
        raise ValidationError("Give a reason for moving back a stage: it is published in the process record.")

    missing = []
    if to_stage == Stage.SCRUTINY:
        missing = _names(consultation_signoff_status(consultation=locked)["missing_groups"])
        if missing and not override:
            raise ValidationError(
                "Public scrutiny cannot open until every invited working group has recorded its position "
                f"on the current version. Waiting for: {', '.join(missing)}. An editor may override this "
                "with a reason, which is published."
            )
        if missing and not reason:
            raise ValidationError(
                "Give the reason for opening public scrutiny without every group’s position: it is published."
            )

    ConsultationPage.objects.filter(pk=locked.pk).update(current_stage=to_stage.value)
    # `.update()` sends no signal, and cached pages and the reaction POSTs' remembered
    # targets hold the stage (core/page_cache.py, consultation/reactions/services.py).
    bump("site")
    consultation.current_stage = to_stage.value
    change = StageChange.objects.create(
        consultation=locked,
        from_stage=from_stage.value,
        to_stage=to_stage.value,
        actor=actor,
        actor_name=getattr(actor, "public_name", "") if actor is not None else "Scheduled by the stage dates",
        reason=reason,
        override=bool(missing),
        missing_signoffs=missing,
        created_at=timezone.now(),
    )
    record_event(
        consultation=locked,
        kind="stage_changed",
        actor=actor,
        summary=_summary(
            from_stage=from_stage, to_stage=to_stage, backwards=backwards, missing=missing, reason=reason
        ),
        data={
            "from": from_stage.value,
            "to": to_stage.value,
            "override": bool(missing),
            "missing_signoffs": missing,
            "scheduled": actor is None,
        },
    )

    # A background job, started after commit: the emails never hold up or undo the move.
    subscriptions_notify_stage_change(stage_change=change)
    return change


def consultations_due_to_move(*, today=None):
    """(consultation, next stage) for live consultations whose next stage's
    published start date has arrived. Sign-off rules still apply when moving."""
    today = today or timezone.localdate()
    due = []
    consultations = ConsultationPage.objects.live().prefetch_related("stage_dates")
    for consultation in consultations:
        index = STAGE_ORDER.index(Stage(consultation.current_stage))
        if index + 1 >= len(STAGE_ORDER):
            continue
        upcoming = STAGE_ORDER[index + 1]
        dates = {row.stage: row for row in consultation.stage_dates.all()}
        row = dates.get(upcoming.value)
        if row and row.starts_on <= today:
            due.append((consultation, upcoming))
    return due
