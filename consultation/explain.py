"""The one explainer: may this person do this to this thing, and if not, why.

`explain(user, "consultation.react_section", section)` returns a `Verdict`:
allowed or not, a reason code and a plain sentence for the person. The rule
decides (`consultation.rules`); the reason is the first of the rule's gates
that fails, so what people are told is always why they were refused. Pages,
templates (`{% explain %}`), JSON errors, the websocket refusal and the report
exports all take their reasons from here.

Reason codes are stable (templates and clients switch on them); the sentences
may be reworded.
"""

from dataclasses import dataclass

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied

from consultation.rules import GATES, consultation_of


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    code: str = ""
    message: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = Verdict(True)

# What each rule is about, for the sentences: (the things, the verb).
SUBJECTS = {
    "consultation.comment_section": ("Comments", "comment"),
    "consultation.comment_paper": ("Comments", "comment"),
    "consultation.comment_proposal": ("Comments", "comment"),
    "consultation.react_section": ("Reactions", "react"),
    "consultation.react_comment": ("Reactions", "react"),
    "consultation.react_proposal": ("Reactions", "react"),
    "consultation.propose_section": ("Proposals", "propose a wording"),
    "consultation.withdraw_proposal": ("Withdrawals", "withdraw this proposal"),
    "consultation.flag_comment": ("Flags", "flag this comment"),
    "consultation.edit_comment": ("Edits", "edit this comment"),
    "consultation.withdraw_comment": ("Withdrawals", "withdraw this comment"),
    "consultation.follow_paper": ("Email updates", "follow this paper"),
    "consultation.follow_section": ("Email updates", "follow this section"),
    "consultation.sign_off_paper": ("Sign-offs", "record your group’s position"),
    "consultation.register_interest": ("Email updates", "register for updates"),
    "consultation.view_report": ("Reports", "read this report"),
}
DEFAULT_SUBJECT = ("Actions", "do this")

REASONS = {
    "not_published": "This page is not published, so it takes no {things_lower}.",
    "restricted": "This text is restricted, so {things_lower} are closed to you while the restriction lasts.",
    "stage_drafting": (
        "{things} are closed while the consultation is at the “Drafting” stage; "
        "they open when the working-group review begins."
    ),
    "stage_final": "{things} are closed while the consultation is at the “Final” stage.",
    "stage_not_signoff": (
        "{things} are open only during the sign-off stage; the consultation is at the “{stage}” stage."
    ),
    "sign_in": "Sign in to {verb}.",
    "members_only": (
        "During {stage_lower} only members of the invited working groups can {verb}. "
        "Everyone can read along; the public can take part at the public scrutiny stage."
    ),
    "verify_email": "Confirm your email address to {verb}.",
    "convenors_only": "Only a convenor of an invited working group can {verb}.",
    "hidden_comment": "This comment has been hidden, so it takes no {things_lower}.",
    "own_comment": "This is your own comment, so you cannot {verb} it.",
    "proposal_closed": "This proposal is {state}, so it takes no more {things_lower}.",
    "own_proposal": "You made this proposal, so you do not react to it.",
    "not_author": "Only the person who made this proposal can withdraw it.",
    "not_comment_author": "Only the person who wrote this comment can {verb}.",
    "edit_window_closed": (
        "Comments can be edited for {edit_minutes} minutes after posting; "
        "you can still withdraw it, or post a new comment."
    ),
    "not_permitted": "You do not have permission to {verb}.",
}
# Sentences that read better with the rule's own wording.
SPECIAL = {
    (
        "consultation.view_comment",
        "restricted",
    ): "This comment is on restricted text, so it is withheld with it.",
    (
        "consultation.view_proposal",
        "restricted",
    ): "This proposal is on restricted text, so it is withheld with it.",
    ("consultation.view_report", "restricted"): "This paper is restricted, so its report is withheld.",
    ("consultation.view_tallies", "restricted"): "This paper is restricted, so its tallies are withheld.",
    ("consultation.react_comment", "own_comment"): "You cannot react to your own comment.",
    (
        "consultation.comment_proposal",
        "proposal_closed",
    ): "This proposal is {state}, so it takes no new comments.",
    (
        "consultation.flag_comment",
        "own_comment",
    ): "This is your own comment; you can ask a moderator by email.",
}


def _facts(perm, obj):
    things, verb = SUBJECTS.get(perm, DEFAULT_SUBJECT)
    consultation = consultation_of(obj)
    if consultation is None and obj is not None:
        # A comment or proposal: its page knows the consultation.
        page = getattr(obj, "section", None) or getattr(obj, "paper", None)
        consultation = consultation_of(page)
    stage = consultation.stage.label if consultation is not None else ""
    return {
        "things": things,
        "things_lower": things.lower(),
        "verb": verb,
        "stage": stage,
        "stage_lower": stage.lower(),
        "state": (getattr(obj, "state_text", "") or "").lower(),
        "edit_minutes": f"{settings.COMMENT_EDIT_MINUTES:g}",
    }


def reason(perm, code, obj=None):
    """The sentence for reason `code` of rule `perm` about `obj`."""
    text = SPECIAL.get((perm, code)) or REASONS.get(code, REASONS["not_permitted"])
    return text.format(**_facts(perm, obj))


def explain(user, perm, obj=None):
    """Whether `user` may do `perm` to `obj`, and if not, why (a `Verdict`)."""
    if rules.has_perm(perm, user, obj):
        return ALLOWED
    for gate in GATES.get(perm, ()):
        if not gate.holds.test(user, obj):
            return Verdict(False, gate.code, reason(perm, gate.code, obj))
    return Verdict(False, "not_permitted", reason(perm, "not_permitted", obj))


def require(user, perm, obj=None):
    """Raise PermissionDenied with the explainer's sentence unless `user` may do `perm` to `obj`.

    Services call this, so a refusal reads the same from a page, the API or a script."""
    verdict = explain(user, perm, obj)
    if not verdict:
        raise PermissionDenied(verdict.message)
    return verdict
