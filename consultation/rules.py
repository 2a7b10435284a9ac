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

from workinggroups.models import Membership

from .models.pages import Stage

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
    if consultation is None or not user.is_authenticated:
        return False
    return any(m.role in PARTICIPATING_ROLES for m in current_memberships(user, consultation))


@rules.predicate
def is_invited_convenor(user, obj):
    consultation = consultation_of(obj)
    if consultation is None or not user.is_authenticated:
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
