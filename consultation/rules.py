"""Who may do what, in one place.

Each action is one named rule (`consultation.<action>`) built from small
predicates. Where a refusal needs explaining to the person, the rule is
written as an ordered list of *gates*: the rule is their conjunction, and the
first gate that fails is the reason (`consultation.explain`). So the decision
and its explanation cannot drift apart.

Everything asks these rules the same way: `user.has_perm(name, obj)` (the
project's User sends every registered rule to `rules`, with no superuser
shortcut: superusers administer, they do not take part as someone else),
`{% explain %}` / `explain()` where a reason is shown, and views, templates,
the websocket consumer, feeds and exports alike. Wagtail's page permissions
decide who edits and publishes; the rules below ask them through predicates.

`obj` is a page of the consultation tree (consultation, paper or section) or
anything with a `consultation` attribute; the stage is always the
consultation's current stage.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import rules
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Subquery
from django.utils import timezone

from consultation.models.pages import Stage
from consultation.models.participation import Voice
from core.db.prepared import PreparedQuery
from workinggroups.models import Membership

# Roles that take part. Observers read along but do not comment, react or propose.
PARTICIPATING_ROLES = (Membership.Role.CONVENOR, Membership.Role.MEMBER)


def consultation_of(obj):
    return getattr(obj, "consultation", None) if obj is not None else None


def current_memberships(user, consultation):
    """The user's current memberships of groups invited to this consultation.

    Each carries `voice_group_id`: the group the person's stored voice in this
    consultation names (None before their first contribution), read in the same
    query, so a contribution allowed by the rule learns whom it speaks for without
    a trip of its own (consultation.participation.services.speaking_membership).

    Cached on the user object for the request, so a page that asks for many
    sections costs one query."""
    cache = user.__dict__.setdefault("_consultation_memberships", {})
    if consultation.pk not in cache:
        cache[consultation.pk] = _current_memberships(
            user_id=user.pk, consultation_id=consultation.pk, at=timezone.now()
        )
    return cache[consultation.pk]


def _current_memberships_query(*, user_id, consultation_id, at):
    voice = Voice.objects.filter(consultation_id=consultation_id, user_id=user_id).values("group_id")
    return (
        Membership.objects.current(at)
        .filter(user_id=user_id, group__consultations=consultation_id)
        .select_related("group", "organisation")
        .annotate(voice_group_id=Subquery(voice))
        # Unordered: callers decide their own order (participating_memberships), and the
        # model's ordering (by group name, a join) was a third of this query's cost.
        .order_by()
    )


# Asked by every contribution (each reaction POST): compiled once, as building and compiling
# it through the ORM cost fifteen times what the database spends on it.
_current_memberships = PreparedQuery(
    _current_memberships_query,
    user_id=-7_000_001,
    consultation_id=-7_000_002,
    at=datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
)


# ---------------------------------------------------------------- gates


@dataclass(frozen=True)
class Gate:
    """One condition of a rule, with the reason code given when it fails."""

    code: str
    holds: rules.Predicate


# Rule name → its gates, in the order a refusal is explained.
GATES = {}


def add_gated_perm(name, *gates):
    """Register rule `name` as the conjunction of `gates`, keeping them for `explain`."""
    GATES[name] = gates
    predicate = gates[0].holds
    for gate in gates[1:]:
        predicate = predicate & gate.holds
    rules.add_perm(name, predicate)


def about(get_target, predicate):
    """`predicate` asked of the object `get_target(obj)` (a comment's section, say)."""

    @rules.predicate(name=f"{predicate.name}_of_target")
    def on_target(user, obj):
        target = get_target(obj) if obj is not None else None
        return target is not None and predicate.test(user, target)

    return on_target


# ---------------------------------------------------------------- predicates


@rules.predicate
def is_signed_in(user):
    return user.is_authenticated and user.is_active


@rules.predicate
def is_page_editor(user, page):
    """The user may edit this page in the Wagtail admin."""
    if page is None or not user.is_authenticated or not hasattr(page, "permissions_for_user"):
        return False
    return page.permissions_for_user(user).can_edit()


@rules.predicate
def can_publish_page(user, page):
    """The user may publish this page in the Wagtail admin."""
    if page is None or not user.is_authenticated or not hasattr(page, "permissions_for_user"):
        return False
    return page.permissions_for_user(user).can_publish()


@rules.predicate
def is_page_publisher(user, obj):
    """The user may publish the paper (of this section or comment) in the Wagtail admin."""
    if obj is None:
        return False
    return can_publish_page.test(user, getattr(obj, "paper", obj))


@rules.predicate
def is_restricted(user, obj):
    """A restricted paper, or a restricted section or one inside a restricted paper."""
    if obj is None:
        return False
    if getattr(obj, "restricted", False):
        return True
    paper = getattr(obj, "paper", None)
    return bool(paper is not None and paper.restricted)


@rules.predicate
def is_live(user, page):
    return page is not None and getattr(page, "live", True)


def stage_is(*stages):
    names = "_or_".join(stages)

    @rules.predicate(name=f"stage_is_{names}")
    def predicate(user, obj):
        consultation = consultation_of(obj)
        return consultation is not None and consultation.current_stage in stages

    return predicate


@rules.predicate
def is_invited_participant(user, obj):
    """A current convenor or member of a working group invited to the consultation."""
    consultation = consultation_of(obj)
    if consultation is None or not user.is_authenticated or not user.is_active:
        return False
    return any(m.role in PARTICIPATING_ROLES for m in current_memberships(user, consultation))


@rules.predicate
def is_invited_convenor(user, obj):
    consultation = consultation_of(obj)
    if consultation is None or not user.is_authenticated or not user.is_active:
        return False
    return any(m.role == Membership.Role.CONVENOR for m in current_memberships(user, consultation))


@rules.predicate
def has_verified_email(user):
    return user.is_authenticated and user.is_active and bool(getattr(user, "email_verified", False))


# Comment moderation is the project's own role: a group with no page
# permission (migration 0010), not Wagtail's page-publishing "Moderators".
# Superusers administer it too.
MODERATORS_GROUP = "Comment moderators"
is_moderator = rules.is_group_member(MODERATORS_GROUP) | rules.is_superuser

# ---------------------------------------------------------------- reading

# Reading the text of a paper or section. The heading and any restriction
# reason are always public; only the text itself is withheld.
can_read_body = is_live & ~is_restricted | is_page_editor
rules.add_perm("consultation.view_body", can_read_body)

# ---------------------------------------------------------------- taking part

# Taking part follows the stage: invited working groups during review and
# sign-off; anyone with a verified email during public scrutiny; nobody while
# drafting or once final. The gates, in the order a refusal is explained; their
# conjunction is `(review or sign-off, and invited) or (scrutiny and verified)`
# on a readable page.
PARTICIPATION = (
    Gate("not_published", is_live | is_page_editor),
    Gate("restricted", ~is_restricted | is_page_editor),
    Gate("stage_drafting", ~stage_is(Stage.DRAFTING)),
    Gate("stage_final", ~stage_is(Stage.FINAL)),
    Gate("sign_in", is_signed_in),
    Gate("members_only", ~stage_is(Stage.REVIEW, Stage.SIGNOFF) | is_invited_participant),
    Gate("verify_email", ~stage_is(Stage.SCRUTINY) | has_verified_email),
)
add_gated_perm("consultation.comment_section", *PARTICIPATION)
add_gated_perm("consultation.comment_paper", *PARTICIPATION)
add_gated_perm("consultation.react_section", *PARTICIPATION)
add_gated_perm("consultation.propose_section", *PARTICIPATION)

# ---------------------------------------------------------------- comments


@rules.predicate
def is_hidden_comment(user, comment):
    if comment is None:
        return False
    if getattr(comment, "hidden_at", None) is not None or getattr(comment, "is_removed", False):
        return True
    return not getattr(comment, "is_public", True)


@rules.predicate
def is_comment_author(user, comment):
    return comment is not None and user.is_authenticated and comment.user_id == user.pk


def _page_of_comment(comment):
    return comment.section if comment.section_id else comment.paper


# A comment is read on the terms of the page it is attached to (a proposal's
# discussion: its section's); reading it never needs more than reading the page.
add_gated_perm("consultation.view_comment", Gate("restricted", about(_page_of_comment, can_read_body)))

# Any signed-in reader who may read it may flag someone else's comment for the
# moderators (one already hidden needs no flag).
add_gated_perm(
    "consultation.flag_comment",
    Gate("sign_in", is_signed_in),
    Gate("restricted", about(_page_of_comment, can_read_body)),
    Gate("hidden_comment", ~is_hidden_comment),
    Gate("own_comment", ~is_comment_author),
)


@rules.predicate
def is_within_edit_window(user, comment):
    """Posted less than COMMENT_EDIT_MINUTES ago."""
    if comment is None or comment.submit_date is None:
        return False
    window = timezone.timedelta(minutes=settings.COMMENT_EDIT_MINUTES)
    return timezone.now() < comment.submit_date + window


@rules.predicate
def is_open_discussion(user, comment):
    """A comment in a proposal's discussion is edited only while the proposal is open."""
    if comment is None or not comment.is_on_proposal:
        return True
    return getattr(comment.content_object, "state", None) == "open"


# The author may edit their comment shortly after posting it, on the same terms
# as posting it: while the window is open and they may still comment on its page.
add_gated_perm(
    "consultation.edit_comment",
    Gate("sign_in", is_signed_in),
    Gate("not_comment_author", is_comment_author),
    Gate("hidden_comment", ~is_hidden_comment),
    Gate("edit_window_closed", is_within_edit_window),
    Gate("proposal_closed", is_open_discussion),
    *(Gate(gate.code, about(_page_of_comment, gate.holds)) for gate in PARTICIPATION),
)
# The author may withdraw their comment at any time until the consultation is
# final (when its record is settled); a public tombstone takes its place.
add_gated_perm(
    "consultation.withdraw_comment",
    Gate("sign_in", is_signed_in),
    Gate("not_comment_author", is_comment_author),
    Gate("hidden_comment", ~is_hidden_comment),
    Gate("stage_final", about(_page_of_comment, ~stage_is(Stage.FINAL))),
)
# Following a paper sends email, so it needs an address the person has confirmed.
add_gated_perm(
    "consultation.follow_paper",
    Gate("sign_in", is_signed_in),
    Gate("verify_email", has_verified_email),
)
# Following one section sends email in the same way.
add_gated_perm(
    "consultation.follow_section",
    Gate("sign_in", is_signed_in),
    Gate("verify_email", has_verified_email),
)
# Moderation is a role, independent of stage.
rules.add_perm("consultation.moderate", is_moderator)

# ---------------------------------------------------------------- reactions

# A comment is reacted to on the terms of the page it is attached to; hidden
# or removed comments take no reactions, and nobody reacts to their own.
add_gated_perm(
    "consultation.react_comment",
    Gate("hidden_comment", ~is_hidden_comment),
    Gate("own_comment", ~is_comment_author),
    *(Gate(gate.code, about(_page_of_comment, gate.holds)) for gate in PARTICIPATION),
)


# Tallies (on the page, over HTTP and over the websocket) are readable by
# whoever may read the paper: counts reveal no restricted text, but a
# restricted paper's activity stays with those who may read it.
def _paper_of(obj):
    return getattr(obj, "paper", obj)


can_read_paper_of = about(_paper_of, can_read_body)
add_gated_perm("consultation.view_tallies", Gate("restricted", can_read_paper_of))

# ---------------------------------------------------------------- versions

# Editors who may publish the paper in the Wagtail admin may publish a named
# version of it and respond to its feedback ("you said, we did").
rules.add_perm("consultation.publish_version", is_live & is_page_publisher)
rules.add_perm("consultation.respond", is_page_publisher)


@rules.predicate
def is_snapshot_withheld(user, snapshot):
    """The text of a version (or of one section in it) is withheld from the public.

    It is withheld if it was restricted when the version was published, or if
    the paper or section is restricted now: a reason that covers today's text
    (personal data found, say) covers the earlier wording of it too."""
    version = getattr(snapshot, "version", snapshot)
    if snapshot.restricted or version.restricted or version.paper.restricted:
        return True
    if snapshot is version:
        return False
    try:
        live = snapshot.section
    except ObjectDoesNotExist:
        return False
    return bool(live.restricted)


# The same for everyone, editors included: version pages, diffs, feeds and
# exports are public outputs. Editors read restricted text in the admin.
rules.add_perm("consultation.view_version_text", ~is_snapshot_withheld)

# ---------------------------------------------------------------- stages and sign-off

# During the sign-off stage, a current convenor of an invited group records
# the group's position on a live paper. (Which group: the view offers only the
# groups the person convenes.)
add_gated_perm(
    "consultation.sign_off_paper",
    Gate("not_published", is_live),
    Gate("stage_not_signoff", stage_is(Stage.SIGNOFF)),
    Gate("sign_in", is_signed_in),
    Gate("convenors_only", is_invited_convenor),
)

# Moving a consultation between stages (and overriding missing sign-offs, with
# a published reason) is for editors who may publish the consultation page.
rules.add_perm("consultation.move_stage", can_publish_page)

# Anyone may ask for email updates about a live consultation.
add_gated_perm("consultation.register_interest", Gate("not_published", is_live))

# ---------------------------------------------------------------- the report

# The consensus report (HTML, PDF, CSV, JSON, frozen copies) is public like the
# paper's text: a restricted paper's report is refused to the public.
add_gated_perm("consultation.view_report", Gate("restricted", can_read_paper_of))
# The report's admin pages (frozen reports, the freeze form) are for editors
# who may publish the paper; freezing itself only at the end of sign-off.
rules.add_perm("consultation.manage_report", is_page_publisher)
rules.add_perm("consultation.freeze_report", stage_is(Stage.SIGNOFF) & is_live & is_page_publisher)

# ---------------------------------------------------------------- competing proposals

# A proposal is read, reacted to and discussed on the terms of its section:
# withheld with a restricted section, open to the same people at the same
# stages. It takes reactions and comments only while open, and its author does
# not react to it (their proposal is their position).


def _section_of(proposal):
    return getattr(proposal, "section", None) if proposal is not None else None


@rules.predicate
def is_open_proposal(user, proposal):
    return proposal is not None and getattr(proposal, "state", None) == "open"


@rules.predicate
def is_undecided_proposal(user, proposal):
    return proposal is not None and getattr(proposal, "state", None) in ("open", "accepted")


@rules.predicate
def is_proposal_author(user, proposal):
    return proposal is not None and user.is_authenticated and proposal.author_id == user.pk


ON_SECTION_OF_PROPOSAL = tuple(Gate(gate.code, about(_section_of, gate.holds)) for gate in PARTICIPATION)

add_gated_perm("consultation.view_proposal", Gate("restricted", about(_section_of, can_read_body)))
add_gated_perm(
    "consultation.react_proposal",
    Gate("proposal_closed", is_open_proposal),
    Gate("own_proposal", ~is_proposal_author),
    *ON_SECTION_OF_PROPOSAL,
)
add_gated_perm(
    "consultation.comment_proposal", Gate("proposal_closed", is_open_proposal), *ON_SECTION_OF_PROPOSAL
)
# The author may withdraw an open proposal until the consultation is final;
# it stays in the record, marked withdrawn. Nobody withdraws for someone else.
add_gated_perm(
    "consultation.withdraw_proposal",
    Gate("sign_in", is_signed_in),
    Gate("not_author", is_proposal_author),
    Gate("proposal_closed", is_open_proposal),
    Gate("stage_final", ~stage_is(Stage.FINAL)),
)
# Editors who may publish the section see its proposals in the admin and
# decide: incorporate one (a draft revision for review) or not take it
# forward (with a public reason).
rules.add_perm("consultation.manage_proposals", can_publish_page)
rules.add_perm("consultation.decide_proposal", is_undecided_proposal & about(_section_of, can_publish_page))
