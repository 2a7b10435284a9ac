"""Competing proposals: making, withdrawing and deciding them.

Each public function is one action: it checks the named rule, writes in one
transaction (the proposal row locked, so two decisions cannot cross) and
records the public event in the process record. Summaries name the section
by its heading (always public) and never quote the proposed text, which is
withheld whenever the section is restricted.

Incorporating does not publish anything: it saves the section with the
proposed wording as a Wagtail draft revision for the editors to review. When
a named version that contains that revision is published, `version_publish`
calls `proposals_mark_incorporated` and the proposal becomes "incorporated
in vN".
"""

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from consultation.comments.services import author_snapshot
from consultation.explain import require
from consultation.models import Proposal, ProposalKind, ProposalState, SectionPage
from consultation.models.record import SUBJECT_MARK
from consultation.proposals.selectors import section_wording, text_lines, text_paragraphs
from consultation.reactions.selectors import reaction_tallies
from consultation.record.services import record_event
from core.links import public_origin, site_url
from jobs.services import enqueue_email

logger = logging.getLogger(__name__)

DEFAULT_TEXT_MAX_LENGTH = 10_000
RATIONALE_MAX_LENGTH = 3_000
DECISION_REASON_MAX_LENGTH = 2_000
PUBLIC = AnonymousUser()


def text_max_length():
    return getattr(settings, "PROPOSAL_MAX_LENGTH", DEFAULT_TEXT_MAX_LENGTH)


def _normalise(text):
    """Newlines made uniform, trailing spaces and surrounding blank lines gone; words untouched."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _where(proposal):
    return f"section “{proposal.section.title}” of “{proposal.paper.title}”"


def _public_tally(proposal, tally):
    """A tally for the record's data, unless the section's activity is withheld from the public."""
    return tally if PUBLIC.has_perm("consultation.view_tallies", proposal.section) else None


def _data(proposal, **extra):
    return {
        "proposal": proposal.pk,
        "paper": proposal.paper_id,
        "section": proposal.section_id,
        "kind": proposal.kind,
        "state": proposal.state,
        **extra,
    }


def _named(proposal):
    """The record names a proposal's author as shown beside it, outside the hashed summary."""
    return {"subject": proposal.author, "subject_name": proposal.author_name}


def _locked(proposal):
    """The proposal's row, locked for this transaction, with the caller's section and paper."""
    fresh = Proposal.objects.select_for_update().get(pk=proposal.pk)
    fresh.section, fresh.paper = proposal.section, proposal.paper
    return fresh


def _closing_tally(proposal):
    """The tally the proposal closes with (current version), kept with it and in the record."""
    key = proposal.target_key
    return reaction_tallies(paper_id=proposal.paper_id, targets=[key])[key]


def _validate(*, kind, text, rationale, current_text):
    errors = {}
    if kind not in ProposalKind.values:
        errors["kind"] = "Choose whether you propose a replacement wording or an added paragraph."
    if not text:
        errors["text"] = "Write the wording you propose."
    elif len(text) > text_max_length():
        errors["text"] = (
            f"Your wording is {len(text):,} characters long. The limit is {text_max_length():,}: "
            f"shorten it by {len(text) - text_max_length():,} characters."
        )
    elif kind == ProposalKind.REPLACEMENT and text_lines(text) == current_text:
        errors["text"] = "Your wording is the same as the current text: change at least one word."
    if not rationale:
        errors["rationale"] = "Say why you propose this: readers and the editors weigh your reasons."
    elif len(rationale) > RATIONALE_MAX_LENGTH:
        errors["rationale"] = (
            f"Your reasons are {len(rationale):,} characters long. The limit is {RATIONALE_MAX_LENGTH:,}."
        )
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------- making and withdrawing


def proposal_create(*, author, section, kind, text, rationale):
    """Propose an alternative wording for `section` and return the proposal.

    `kind` is a replacement of the whole wording or a paragraph added at its
    end. Refuses (PermissionDenied) unless the stage and the author's role
    allow proposing on the section, and (ValidationError, by field) empty or
    over-long text, a replacement identical to the current wording, or no
    reasons. The author's name, group, organisation, the paper's version and
    the section's wording are kept with it. Proposing the same thing twice
    returns the first proposal.
    """
    require(author, "consultation.propose_section", section)
    paper = section.paper
    text, rationale = _normalise(text), _normalise(rationale)
    current_text = section_wording(section)
    _validate(kind=kind, text=text, rationale=rationale, current_text=current_text)

    with transaction.atomic():
        duplicate = (
            Proposal.objects.filter(
                author=author, section=section, kind=kind, text=text, state=ProposalState.OPEN
            )
            .select_related(None)
            .first()
        )
        if duplicate is not None:
            return duplicate
        proposal = Proposal(
            paper=paper,
            section=section,
            author=author,
            kind=kind,
            text=text,
            rationale=rationale,
            base_text=current_text,
            **author_snapshot(author=author, paper=paper),
        )
        proposal.save()
        group = proposal.working_group_name
        speaker = f"{SUBJECT_MARK} ({group})" if group else SUBJECT_MARK
        what = "a replacement wording" if kind == ProposalKind.REPLACEMENT else "an added paragraph"
        record_event(
            consultation=paper.consultation,
            kind="proposal_made",
            actor=author,
            summary=f"{speaker} proposed {what} for {_where(proposal)} (proposal {proposal.pk}).",
            **_named(proposal),
            data=_data(proposal, version=proposal.version_label, group=proposal.working_group_id),
        )
    return proposal


def proposal_withdraw(*, proposal, user):
    """The author withdraws their open proposal. It stays on the page and in
    the record, marked withdrawn, with the support it had."""
    require(user, "consultation.withdraw_proposal", proposal)
    with transaction.atomic():
        locked = _locked(proposal)
        if locked.state != ProposalState.OPEN:
            raise ValidationError("This proposal is no longer open, so it cannot be withdrawn.")
        tally = _closing_tally(locked)
        locked.state = ProposalState.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.decided_by = user
        locked.decided_by_name = locked.author_name
        locked.closing_tally = tally
        locked.save()
        record_event(
            consultation=locked.paper.consultation,
            kind="proposal_withdrawn",
            actor=user,
            summary=f"{SUBJECT_MARK} withdrew proposal {locked.pk} for {_where(locked)}.",
            **_named(locked),
            data=_data(locked, tally=_public_tally(locked, tally)),
        )
    return locked


# ---------------------------------------------------------------- editors' decisions


def _tell_author(proposal, *, accepted, reason):
    """Email the proposal's author the decision, once the decision is committed. The message is
    built now, while the request's address is known (core/links.py), and sent by a background job."""
    author = proposal.author
    if author is None or not author.email or not author.is_active:
        return
    context = {
        "author_name": getattr(author, "public_name", "") or author.get_username(),
        "proposal": proposal,
        "where": _where(proposal),
        "accepted": accepted,
        "reason": reason,
        "proposal_url": site_url(proposal.get_absolute_url()),
        "site_name": settings.SITE_NAME,
        "site_url": public_origin(),
    }
    subject = f"Your proposal {proposal.pk} has been decided"
    body = render_to_string("consultation/proposals/emails/decided.txt", context)
    enqueue_email(to=[author.email], subject=subject, body=body, key=f"proposal-decided:{proposal.pk}")


def _require_editor(editor, proposal):
    if not editor.has_perm("consultation.decide_proposal", proposal):
        raise PermissionDenied("Only editors who may publish this section can decide on its proposals.")


def _paragraph_blocks(text):
    # Escaped word for word: the proposal is plain text and must stay so in the rich text.
    return [
        ("paragraph", "<p>" + "<br/>".join(escape(line) for line in lines) + "</p>")
        for lines in text_paragraphs(text)
    ]


def _section_with_proposal(proposal):
    """The section as its latest revision has it (so a pending draft is not
    lost), with the proposed wording in place of its body or added at its end."""
    section = SectionPage.objects.get(pk=proposal.section_id)
    draft = section.get_latest_revision_as_object()
    if proposal.kind == ProposalKind.REPLACEMENT:
        draft.body = _paragraph_blocks(proposal.text)
    else:
        for block in _paragraph_blocks(proposal.text):
            draft.body.append(block)
    return draft


def proposal_incorporate(*, proposal, editor, note=""):
    """Accept the proposal: save the section with its wording as a Wagtail
    draft revision (not published) for the editors to review, and return the
    revision. The live section does not change. When a version containing
    this revision (or a later one) is published, the proposal is marked
    incorporated in that version."""
    _require_editor(editor, proposal)
    note = _normalise(note)
    if len(note) > DECISION_REASON_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note to {DECISION_REASON_MAX_LENGTH:,} characters."})
    with transaction.atomic():
        locked = _locked(proposal)
        if locked.state != ProposalState.OPEN:
            raise ValidationError("Only an open proposal can be incorporated.")
        draft = _section_with_proposal(locked)
        revision = draft.save_revision(user=editor, log_action=True)
        tally = _closing_tally(locked)
        locked.state = ProposalState.ACCEPTED
        locked.revision = revision
        locked.decided_at = timezone.now()
        locked.decided_by = editor
        locked.decided_by_name = getattr(editor, "public_name", "") or editor.get_username()
        locked.decision_reason = note
        locked.closing_tally = tally
        locked.save()
        summary = (
            f"The editors accepted proposal {locked.pk} by {SUBJECT_MARK} for {_where(locked)}: "
            "a draft of the section with this wording awaits review for the next version."
        )
        record_event(
            consultation=locked.paper.consultation,
            kind="proposal_accepted",
            actor=editor,
            summary=summary + (f" Note: {note}" if note else ""),
            **_named(locked),
            data=_data(locked, revision=revision.pk, note=note, tally=_public_tally(locked, tally)),
        )
        _tell_author(locked, accepted=True, reason=note)
    proposal.state, proposal.revision = locked.state, revision
    return revision


def proposal_decline(*, proposal, editor, reason):
    """Do not take the proposal forward, with a reason that is published with
    the decision. An accepted proposal whose draft was not published can be
    declined too."""
    _require_editor(editor, proposal)
    reason = _normalise(reason)
    if not reason:
        raise ValidationError({"reason": "Give a reason: it is published with the decision."})
    if len(reason) > DECISION_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {DECISION_REASON_MAX_LENGTH:,} characters."})
    with transaction.atomic():
        locked = _locked(proposal)
        if locked.state not in (ProposalState.OPEN, ProposalState.ACCEPTED):
            raise ValidationError("This proposal has already been decided or withdrawn.")
        if locked.state == ProposalState.OPEN:
            locked.closing_tally = _closing_tally(locked)
        locked.state = ProposalState.NOT_TAKEN_FORWARD
        locked.decided_at = timezone.now()
        locked.decided_by = editor
        locked.decided_by_name = getattr(editor, "public_name", "") or editor.get_username()
        locked.decision_reason = reason
        locked.save()
        record_event(
            consultation=locked.paper.consultation,
            kind="proposal_not_taken_forward",
            actor=editor,
            summary=(
                f"The editors did not take forward proposal {locked.pk} by {SUBJECT_MARK} "
                f"for {_where(locked)}. Reason: {reason}"
            ),
            **_named(locked),
            data=_data(locked, reason=reason, tally=_public_tally(locked, locked.closing_tally)),
        )
        _tell_author(locked, accepted=False, reason=reason)
    proposal.state = locked.state
    return locked


def proposals_mark_incorporated(*, paper, version, actor):
    """Run on `version_published`, inside `version_publish`'s transaction: every accepted
    proposal of the paper whose draft revision (or a later one) is now the
    section's live text becomes "incorporated in <version>", and the record
    says so. An accepted proposal whose draft is still unpublished waits for
    a later version. Returns the proposals marked."""
    accepted = list(
        Proposal.objects.select_for_update(of=("self",))
        .filter(paper=paper, state=ProposalState.ACCEPTED, revision__isnull=False)
        .select_related("section")
        .order_by("pk")
    )
    marked = []
    for proposal in accepted:
        live_revision_id = proposal.section.live_revision_id
        if not live_revision_id or live_revision_id < proposal.revision_id:
            continue
        proposal.paper = paper
        proposal.state = ProposalState.INCORPORATED
        proposal.incorporated_in = version
        proposal.incorporated_in_label = version.label
        proposal.save(update_fields=["state", "incorporated_in", "incorporated_in_label", "updated_at"])
        record_event(
            consultation=paper.consultation,
            kind="proposal_incorporated",
            actor=actor,
            summary=(
                f"Proposal {proposal.pk} by {SUBJECT_MARK} for {_where(proposal)} "
                f"was incorporated in {version.label}."
            ),
            **_named(proposal),
            data=_data(proposal, version=version.label, revision=proposal.revision_id),
        )
        marked.append(proposal)
    return marked
