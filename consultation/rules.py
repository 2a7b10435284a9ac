"""Who may do what, in one place.

Each action is one named rule built from small predicates. Views, templates
(`{% has_perm %}`), feeds, exports and the websocket consumer all ask
`user.has_perm("consultation.<rule>", obj)`; nothing else decides.
Wagtail's own page permissions govern editors.

`obj` is a page of the consultation tree (consultation, paper or section) or
anything with a `consultation` attribute; the stage is always the
consultation's current stage.
"""

import rules

from consultation.models.pages import Stage
from workinggroups.models import Membership

# Roles that take part. Observers read along but do not comment, react or propose.
PARTICIPATING_ROLES = (Membership.Role.CONVENOR, Membership.Role.MEMBER)


def consultation_of(obj):
    return getattr(obj, "consultation", None) if obj is not None else None


def current_memberships(user, consultation):
    """The user's current memberships of groups invited to this consultation.

    Cached on the user object for the request, so a page that asks for many
    sections costs one query."""
    cache = user.__dict__.setdefault("_consultation_memberships", {})
    if consultation.pk not in cache:
        cache[consultation.pk] = list(
            Membership.objects.current()
            .filter(user=user, group__consultations=consultation)
            .select_related("group", "organisation")
        )
    return cache[consultation.pk]


# ---------------------------------------------------------------- predicates


@rules.predicate
def is_page_editor(user, page):
    """The user may edit this page in the Wagtail admin."""
    if page is None or not user.is_authenticated or not hasattr(page, "permissions_for_user"):
        return False
    return page.permissions_for_user(user).can_edit()


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


is_moderator = rules.is_group_member("Moderators") | rules.is_superuser

# ---------------------------------------------------------------- rules

# Reading the text of a paper or section. The heading and any restriction
# reason are always public; only the text itself is withheld.
can_read_body = is_live & ~is_restricted | is_page_editor
rules.add_perm("consultation.view_body", can_read_body)

# Taking part follows the stage: invited working groups during review and
# sign-off; anyone with a verified email during public scrutiny; nobody while
# drafting or once final.
can_participate = (stage_is(Stage.REVIEW, Stage.SIGNOFF) & is_invited_participant) | (
    stage_is(Stage.SCRUTINY) & has_verified_email
)

rules.add_perm("consultation.comment_section", can_participate & can_read_body)
rules.add_perm("consultation.comment_paper", can_participate & can_read_body)
rules.add_perm("consultation.react_section", can_participate & can_read_body)
rules.add_perm("consultation.propose_section", can_participate & can_read_body)

# Moderation is a role, independent of stage.
rules.add_perm("consultation.moderate", is_moderator)

# Comments: any signed-in reader may flag someone else's comment for the
# moderators (one already hidden needs no flag); following a paper sends email,
# so it needs an address the person has confirmed.
is_signed_in = rules.is_authenticated & rules.is_active


@rules.predicate
def is_hidden_comment(user, comment):
    return getattr(comment, "hidden_at", None) is not None


@rules.predicate
def is_comment_author(user, comment):
    return comment is not None and user.is_authenticated and comment.user_id == user.pk


rules.add_perm("consultation.flag_comment", is_signed_in & ~is_hidden_comment & ~is_comment_author)
rules.add_perm("consultation.follow_paper", has_verified_email)

# Reactions. Sections follow the participation rule above (react_section).
# A comment is reacted to on the terms of the page it is attached to; hidden
# or removed comments take no reactions, and nobody reacts to their own.


@rules.predicate
def may_react_to_comment(user, comment):
    if comment is None or getattr(comment, "hidden_at", None) is not None:
        return False
    if getattr(comment, "is_removed", False) or not getattr(comment, "is_public", True):
        return False
    if user.is_authenticated and comment.user_id == user.pk:
        return False
    target = comment.section if comment.section_id else comment.paper
    return (can_participate & can_read_body).test(user, target)


rules.add_perm("consultation.react_comment", may_react_to_comment)


# Tallies (on the page, over HTTP and over the websocket) are readable by
# whoever may read the paper: counts reveal no restricted text, but a
# restricted paper's activity stays with those who may read it.
@rules.predicate
def can_read_paper_of(user, obj):
    if obj is None:
        return False
    paper = getattr(obj, "paper", obj)
    return can_read_body.test(user, paper)


rules.add_perm("consultation.view_tallies", can_read_paper_of)

# Versions and “you said, we did”. Editors who may publish the paper in the
# Wagtail admin may publish a named version of it and respond to its feedback.


@rules.predicate
def is_page_publisher(user, obj):
    """The user may publish the paper (of this section or comment) in the Wagtail admin."""
    if obj is None or not user.is_authenticated:
        return False
    paper = getattr(obj, "paper", obj)
    if not hasattr(paper, "permissions_for_user"):
        return False
    return paper.permissions_for_user(user).can_publish()


rules.add_perm("consultation.publish_version", is_live & is_page_publisher)
rules.add_perm("consultation.respond", is_page_publisher)


@rules.predicate
def is_snapshot_withheld(user, snapshot):
    """The text of a version (or of one section in it) is withheld from the public.

    It is withheld if it was restricted when the version was published, or if
    the paper or section is restricted now: a reason that covers today's text
    (personal data found, say) covers the earlier wording of it too."""
    from django.core.exceptions import ObjectDoesNotExist

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


# Sign-off: during the sign-off stage, a current convenor of an invited group
# records the group's position on a live paper. (Which group: the view offers
# only the groups the person convenes.)
rules.add_perm("consultation.sign_off_paper", stage_is(Stage.SIGNOFF) & is_invited_convenor & is_live)


@rules.predicate
def can_publish_page(user, page):
    """The user may publish this page in the Wagtail admin."""
    if page is None or not user.is_authenticated or not hasattr(page, "permissions_for_user"):
        return False
    return page.permissions_for_user(user).can_publish()


# Moving a consultation between stages (and overriding missing sign-offs, with
# a published reason) is for editors who may publish the consultation page.
rules.add_perm("consultation.move_stage", can_publish_page)

# Anyone may ask for email updates about a live consultation.
rules.add_perm("consultation.register_interest", is_live)

# The consensus report (HTML, PDF, CSV, JSON, frozen copies) is public like the
# paper's text: a restricted paper's report is refused to the public.
rules.add_perm("consultation.view_report", can_read_paper_of)

# Freezing the report for the signed version: at the end of sign-off, by an
# editor who may publish the paper.
rules.add_perm("consultation.freeze_report", stage_is(Stage.SIGNOFF) & is_live & is_page_publisher)

# Competing proposals. Proposing follows the participation rule above
# (propose_section). A proposal is read, reacted to and discussed on the
# terms of its section: withheld with a restricted section, open to the same
# people at the same stages. It takes reactions and comments only while open,
# and its author does not react to it (their proposal is their position).


def _section_of(proposal):
    return getattr(proposal, "section", None) if proposal is not None else None


@rules.predicate
def can_take_part_on_section_of(user, proposal):
    section = _section_of(proposal)
    return section is not None and (can_participate & can_read_body).test(user, section)


@rules.predicate
def is_open_proposal(user, proposal):
    return proposal is not None and getattr(proposal, "state", None) == "open"


@rules.predicate
def is_undecided_proposal(user, proposal):
    return proposal is not None and getattr(proposal, "state", None) in ("open", "accepted")


@rules.predicate
def is_proposal_author(user, proposal):
    return proposal is not None and user.is_authenticated and proposal.author_id == user.pk


@rules.predicate
def can_publish_section_of(user, proposal):
    """The user may publish the proposal's section in the Wagtail admin."""
    return can_publish_page.test(user, _section_of(proposal))


@rules.predicate
def can_read_section_of(user, proposal):
    section = _section_of(proposal)
    return section is not None and can_read_body.test(user, section)


# A proposal's text (and its discussion) is withheld with its section's.
rules.add_perm("consultation.view_proposal", can_read_section_of)
rules.add_perm(
    "consultation.react_proposal", is_open_proposal & ~is_proposal_author & can_take_part_on_section_of
)
rules.add_perm("consultation.comment_proposal", is_open_proposal & can_take_part_on_section_of)
# The author may withdraw an open proposal until the consultation is final;
# it stays in the record, marked withdrawn.
rules.add_perm(
    "consultation.withdraw_proposal",
    is_signed_in & is_proposal_author & is_open_proposal & ~stage_is(Stage.FINAL),
)
# Editors who may publish the section decide: incorporate it (a draft
# revision for review) or not take it forward (with a public reason).
rules.add_perm("consultation.decide_proposal", is_undecided_proposal & can_publish_section_of)
