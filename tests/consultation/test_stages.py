"""Moving a consultation between stages: the checks, the sign-off block, the record, the emails."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Revision

from consultation.models import (
    ConsultationPage,
    ConsultationStageDates,
    RecordEntry,
    StageChange,
    Subscription,
)
from consultation.stages.services import consultation_move_stage, stage_moves_allowed
from tests.support.contributions import sign_off
from tests.support.trees import another_consultation, groups_tree
from workinggroups.models import Position

pytestmark = pytest.mark.django_db


def stage_of(consultation):
    return ConsultationPage.objects.get(pk=consultation.pk).current_stage


def move(tree, to_stage, **kwargs):
    if "actor" not in kwargs:
        kwargs["actor"] = tree["convenors"][0]
    return consultation_move_stage(consultation=tree["consultation"], to_stage=to_stage, **kwargs)


def nothing_recorded():
    return not StageChange.objects.exists() and not RecordEntry.objects.filter(kind="stage_changed").exists()


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("start", "to_stage", "message"),
    [
        ("drafting", "signoff", "one at a time"),
        ("drafting", "scrutiny", "one at a time"),
        ("review", "final", "one at a time"),
        ("final", "drafting", "one at a time"),
        ("review", "review", "already in"),
        ("review", "published", "Choose a stage"),
        ("signoff", "review", "Give a reason for moving back"),
    ],
)
def test_invalid_moves_are_refused_and_change_nothing(start, to_stage, message):
    tree = groups_tree(stage=start)
    with pytest.raises(ValidationError, match=message):
        move(tree, to_stage)
    assert stage_of(tree["consultation"]) == start
    assert nothing_recorded()


def test_public_scrutiny_is_blocked_until_every_invited_group_has_a_position():
    tree = groups_tree(stage="signoff", groups=3)
    sign_off(tree, 0)
    sign_off(tree, 2, Position.DO_NOT_ENDORSE, "Not ready.")
    with pytest.raises(ValidationError) as error:
        move(tree, "scrutiny")
    assert tree["groups"][1].name in error.value.messages[0]
    assert tree["groups"][0].name not in error.value.messages[0]
    assert stage_of(tree["consultation"]) == "signoff"
    assert nothing_recorded()


def test_a_position_on_an_earlier_version_does_not_count():
    tree = groups_tree(stage="signoff", groups=1)
    sign_off(tree, 0)
    paper = tree["paper"]
    paper.version_label = "v2"
    paper.save()
    with pytest.raises(ValidationError, match="Waiting for"):
        move(tree, "scrutiny")
    sign_off(tree, 0)
    assert move(tree, "scrutiny").to_stage == "scrutiny"


def test_override_without_a_reason_is_refused():
    tree = groups_tree(stage="signoff", groups=2)
    with pytest.raises(ValidationError, match="Give the reason"):
        move(tree, "scrutiny", override=True, reason="  ")
    assert stage_of(tree["consultation"]) == "signoff"
    assert nothing_recorded()


# ---------------------------------------------------------------- allowed moves


def test_each_move_is_recorded_with_who_when_and_from_where():
    tree = groups_tree(stage="drafting")
    editor = tree["convenors"][1]
    before = timezone.now()
    change = move(tree, "review", actor=editor)
    assert stage_of(tree["consultation"]) == "review"
    assert tree["consultation"].current_stage == "review", "the caller's instance is kept in step"
    assert (change.from_stage, change.to_stage, change.actor, change.override) == (
        "drafting",
        "review",
        editor,
        False,
    )
    assert change.created_at >= before and change.actor_name == editor.public_name
    entry = RecordEntry.objects.get(kind="stage_changed")
    assert entry.consultation_id == tree["consultation"].pk and entry.actor == editor
    assert entry.summary == "The consultation moved from Drafting to Working-group review."
    assert entry.data["from"] == "drafting" and entry.data["to"] == "review"


def test_moving_back_needs_a_reason_which_is_published():
    tree = groups_tree(stage="signoff")
    change = move(tree, "review", reason="Group B needs another fortnight on section 3.")
    assert change.to_stage == "review"
    assert RecordEntry.objects.get(kind="stage_changed").summary == (
        "The consultation moved back from Sign-off to Working-group review. "
        "Reason: Group B needs another fortnight on section 3."
    )


def test_scrutiny_opens_once_every_group_has_signed_off():
    tree = groups_tree(stage="signoff", groups=2)
    sign_off(tree, 0)
    sign_off(tree, 1, Position.RESERVATIONS, "Costs.")
    change = move(tree, "scrutiny")
    assert change.override is False and change.missing_signoffs == []
    assert stage_of(tree["consultation"]) == "scrutiny"


def test_editor_override_opens_scrutiny_and_publishes_who_was_missing_and_why():
    tree = groups_tree(stage="signoff", groups=2)
    sign_off(tree, 0)
    missing = tree["groups"][1].name
    change = move(tree, "scrutiny", override=True, reason="The statutory deadline is 1 March.")
    assert change.override is True and change.missing_signoffs == [missing]
    summary = RecordEntry.objects.get(kind="stage_changed").summary
    assert f"waiting for: {missing}" in summary and "Reason: The statutory deadline is 1 March." in summary


def test_override_flag_is_not_recorded_when_nothing_was_missing():
    tree = groups_tree(stage="signoff", groups=1)
    sign_off(tree, 0)
    change = move(tree, "scrutiny", override=True, reason="Just in case.")
    assert change.override is False


def test_a_consultation_without_invited_groups_needs_no_signoff():
    tree = groups_tree(stage="signoff", groups=0)
    assert move(tree, "scrutiny", actor=None).to_stage == "scrutiny"


def test_moves_allowed_are_the_neighbours():
    assert stage_moves_allowed(stage="drafting") == ["review"]
    assert stage_moves_allowed(stage="signoff") == ["scrutiny", "review"]
    assert stage_moves_allowed(stage="final") == ["scrutiny"]


# ---------------------------------------------------------------- subscribers


def test_confirmed_subscribers_get_one_email_each_after_commit_and_pending_ones_none(
    django_capture_on_commit_callbacks,
):
    tree = groups_tree(stage="drafting")
    consultation = tree["consultation"]
    Subscription.objects.create(consultation=consultation, email="yes@example.org", status="confirmed")
    Subscription.objects.create(consultation=consultation, email="also@example.org", status="confirmed")
    Subscription.objects.create(consultation=consultation, email="pending@example.org")
    other = another_consultation(tree)
    Subscription.objects.create(consultation=other, email="other@example.org", status="confirmed")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move(tree, "review")
    assert mail.outbox == [], "nothing is sent before the move commits"
    # The commit starts a background job, whose emails are jobs started on their own commits.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["also@example.org", "yes@example.org"]
    message = mail.outbox[0]
    assert "Working-group review" in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/consultation/updates/unsubscribe/" in message.body


def test_a_refused_move_emails_nobody(django_capture_on_commit_callbacks):
    tree = groups_tree(stage="signoff", groups=1)
    Subscription.objects.create(
        consultation=tree["consultation"], email="yes@example.org", status="confirmed"
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        move(tree, "scrutiny")
    assert mail.outbox == []


# ---------------------------------------------------------------- the page editor cannot bypass the service


def test_stage_is_read_only_in_the_page_editor():
    form_class = ConsultationPage.get_edit_handler().get_form_class()
    assert "current_stage" not in form_class.base_fields
    assert "invited_groups" in form_class.base_fields


def test_publishing_an_older_draft_keeps_the_live_stage():
    tree = groups_tree(stage="review")
    consultation = tree["consultation"]
    draft = ConsultationPage.objects.get(pk=consultation.pk)
    draft.run_by = "Data policy team"
    revision = draft.save_revision()  # its content says "review"
    move(tree, "signoff")
    # As the admin and the scheduled publisher do: the revision fetched afresh.
    Revision.objects.get(pk=revision.pk).publish()
    consultation = ConsultationPage.objects.get(pk=consultation.pk)
    assert consultation.run_by == "Data policy team"
    assert consultation.current_stage == "signoff"
    latest = consultation.get_latest_revision_as_object()
    assert latest.current_stage == "signoff"


# ---------------------------------------------------------------- moves by date


def test_scheduled_moves_follow_the_dates_and_respect_the_signoff_block():
    blocked = groups_tree(stage="signoff", groups=1)
    ConsultationStageDates.objects.create(
        consultation=blocked["consultation"], stage="scrutiny", starts_on=timezone.localdate()
    )
    due = another_consultation(blocked, stage="drafting")
    ConsultationStageDates.objects.create(
        consultation=due, stage="review", starts_on=timezone.localdate() - timedelta(days=1)
    )
    later = another_consultation(blocked, stage="drafting")
    ConsultationStageDates.objects.create(
        consultation=later, stage="review", starts_on=timezone.localdate() + timedelta(days=1)
    )

    out = StringIO()
    call_command("move_stages_by_date", "--dry-run", stdout=out)
    assert "Would move" in out.getvalue() and not StageChange.objects.exists()

    out = StringIO()
    call_command("move_stages_by_date", stdout=out)
    assert stage_of(due) == "review"
    assert stage_of(later) == "drafting"
    assert stage_of(blocked["consultation"]) == "signoff"
    assert "Not moved" in out.getvalue() and blocked["groups"][0].name in out.getvalue()
    change = StageChange.objects.get()
    assert change.actor is None and change.actor_name == "Scheduled by the stage dates"
    assert RecordEntry.objects.get(kind="stage_changed").actor_name == "System"


# ---------------------------------------------------------------- two editors at once


@pytest.mark.django_db(transaction=True)
def test_two_editors_moving_at_once_make_one_move():
    import threading

    from django.db import connection

    tree = groups_tree(stage="review", groups=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            consultation = ConsultationPage.objects.get(pk=tree["consultation"].pk)
            consultation_move_stage(consultation=consultation, to_stage="signoff", actor=None)
            outcomes.append("moved")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["The consultation is already in the Sign-off stage.", "moved"]
    assert StageChange.objects.count() == 1
    assert RecordEntry.objects.filter(kind="stage_changed").count() == 1
