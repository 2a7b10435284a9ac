"""Reads. Each returns what a page needs in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from wagtail.models import Page

from .models import Invitation, JoinRequest, Membership, SectionPosition, SignOff, WorkingGroup


def group_list():
    now = timezone.now()
    return WorkingGroup.objects.annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__joined_at__lte=now)
            & (Q(memberships__left_at__isnull=True) | Q(memberships__left_at__gt=now)),
        )
    )


def _parents_of(pages):
    """The parent page of each page, fetched in one query: {page.pk: parent}."""
    parent_paths = {page.pk: page.path[: -Page.steplen] for page in pages}
    parents = {p.path: p for p in Page.objects.filter(path__in=set(parent_paths.values()))}
    return {pk: parents.get(path) for pk, path in parent_paths.items()}


def signoffs_current(*, papers=None, group=None):
    """Current sign-offs (not superseded), each with its section positions and its
    paper's parent page (the consultation) attached as `consultation_page`."""
    signoffs = SignOff.objects.current().select_related("group", "paper", "recorded_by")
    if papers is not None:
        signoffs = signoffs.filter(paper__in=papers)
    if group is not None:
        signoffs = signoffs.filter(group=group)
    signoffs = list(
        signoffs.prefetch_related(
            Prefetch("section_positions", queryset=SectionPosition.objects.select_related("section"))
        ).order_by("group__name", "paper__path", "-recorded_at")
    )
    parents = _parents_of([s.paper for s in signoffs])
    for signoff in signoffs:
        signoff.consultation_page = parents.get(signoff.paper_id)
    return signoffs


def group_detail(*, group):
    """Everything the public group page shows."""
    memberships = list(
        Membership.objects.filter(group=group).select_related("user", "organisation").order_by("joined_at")
    )
    current = [m for m in memberships if m.is_current]
    role_order = {role: index for index, role in enumerate(Membership.Role.values)}
    current.sort(key=lambda m: (role_order[m.role], m.user.public_name.lower()))
    # A role change closes one spell and opens another: history shows people who
    # left, not every role change.
    past = [
        m
        for m in memberships
        if not m.is_current
        and m.ended_reason
        not in (Membership.EndReason.ROLE_CHANGED, Membership.EndReason.ORGANISATION_CHANGED)
    ]
    past.sort(key=lambda m: m.left_at, reverse=True)
    # `consultations` is the reverse side of ConsultationPage.invited_groups;
    # asked by name, so this app need not import the consultation app.
    consultations = list(group.consultations.live().public().order_by("title"))
    return {
        "group": group,
        "memberships": current,
        "past_memberships": past,
        "consultations": consultations,
        "signoffs": signoffs_current(group=group),
    }


def group_management(*, group):
    """What a convenor sees on the group's management page."""
    now = timezone.now()
    return {
        "memberships": list(
            group.memberships.current().select_related("user", "organisation").order_by("role", "joined_at")
        ),
        "invitations": list(
            Invitation.objects.filter(
                group=group, accepted_at__isnull=True, revoked_at__isnull=True
            ).select_related("organisation", "invited_by")
        ),
        "join_requests": list(
            JoinRequest.objects.filter(group=group, status=JoinRequest.Status.PENDING).select_related(
                "user", "organisation"
            )
        ),
        "now": now,
    }


def memberships_convened(*, user, groups=None):
    """The user's current convenor spells, optionally among `groups`."""
    if not user.is_authenticated:
        return []
    memberships = Membership.objects.current().convenors().filter(user=user).select_related("group")
    if groups is not None:
        memberships = memberships.filter(group__in=groups)
    return list(memberships.order_by("group__name"))


def join_request_pending(*, group, user):
    if not user.is_authenticated:
        return None
    return JoinRequest.objects.filter(group=group, user=user, status=JoinRequest.Status.PENDING).first()
