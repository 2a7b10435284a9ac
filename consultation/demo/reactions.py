"""Demo data for reactions: a plausible spread of agree / disagree / neutral.

Every consultation taking part (review, sign-off, public scrutiny) gets
reactions on its sections from the people who may react there — members of the
invited groups, and during scrutiny the demo's public accounts — and some
agreement or disagreement on comments. Each section follows a plan of what
each group says (`PLANS`), so the tally table, the heat-map and the report
show every label of the statistic, "Broad consensus" and "Broad rejection"
included; some groups have not reacted to some sections yet, so there is
still something to click.

Everything goes through `reaction_set`, the same service as the site, so the
rules, the working-group snapshot and the paper version are real. Choices come
from a random generator seeded by person and target: running it again sets
the same choices, which changes nothing.
"""

import random

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from consultation.models import Comment, ConsultationPage, PolicyPaperPage, Reaction, SectionPage
from consultation.models.pages import Stage
from consultation.reactions.services import reaction_set
from consultation.rules import PARTICIPATING_ROLES
from workinggroups.models import Membership

# (agree, disagree, neutral) weights, for the public during scrutiny.
MIXED = (40, 30, 30)
# What each invited group's members say on a section, group by group in name
# order (Conditions for sharing, Costs and benefits, Safeguards and oversight):
# "A" everyone agrees, "D" everyone disagrees, "N" everyone is neutral, "-"
# nobody has reacted yet. Sections take these plans in turn, chosen so that the
# demo report shows every label of the statistic at least once:
PLANS = [
    "AAA",  # broad consensus
    "AAD",  # contested: two groups agree, Safeguards and oversight disagrees
    "AAN",  # leaning agree
    "DDD",  # broad rejection
    "DDN",  # leaning disagree
    "NNA",  # undecided
    "AA-",  # waiting for groups (Safeguards and oversight not heard yet)
    "AAA",  # broad consensus
    "---",  # too little participation to say
    "ADA",  # contested
]
PLAN_CHOICES = {"A": "agree", "D": "disagree", "N": "neutral"}
STAGES_TAKING_PART = (Stage.REVIEW, Stage.SIGNOFF, Stage.SCRUTINY)


def _planned_choice(plan, group_index, rng):
    """The choice of a person of group `group_index` (the public: by chance), or None."""
    if group_index >= len(plan):
        return _choose(rng, MIXED)
    return PLAN_CHOICES.get(plan[group_index])


def _people(consultation):
    """(user, index of their group) for everyone who may react here, in a stable order."""
    groups = list(consultation.invited_groups.order_by("name"))
    memberships = (
        Membership.objects.current()
        .filter(group__in=groups, role__in=PARTICIPATING_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    people = {}
    for membership in memberships:
        people.setdefault(membership.user, groups.index(membership.group))
    if consultation.current_stage == Stage.SCRUTINY:
        from django.contrib.auth import get_user_model

        public = get_user_model().objects.filter(
            Q(username__startswith="public"), email_verified=True, is_active=True
        )
        for user in public.order_by("username"):
            people.setdefault(user, len(groups))
    return list(people.items())


def _choose(rng, weights, choices=("agree", "disagree", "neutral")):
    return rng.choices(choices, weights=weights[: len(choices)])[0]


def add_demo_reactions(demo=None):
    """The load_demo step: reactions on every consultation that is taking part."""
    made = 0
    consultations = ConsultationPage.objects.live().filter(current_stage__in=STAGES_TAKING_PART)
    for consultation in consultations:
        people = _people(consultation)
        for paper in PolicyPaperPage.objects.live().child_of(consultation).order_by("path"):
            sections = list(SectionPage.objects.live().child_of(paper).order_by("path"))
            for position, section in enumerate(sections):
                section._paper_cache = paper
                plan = PLANS[position % len(PLANS)]
                for user, group_index in people:
                    rng = random.Random(f"{user.username}/{section.slug}")  # noqa: S311 - demo data
                    choice = _planned_choice(plan, group_index, rng)
                    if choice is not None:
                        made += _react(user, section, choice)
            made += _react_to_comments(paper, people)
    if demo is not None and made:
        demo.note(f"{made} reactions")
    return made


def _react_to_comments(paper, people):
    made = 0
    comments = Comment.objects.filter(paper=paper, is_public=True, is_removed=False, hidden_at__isnull=True)
    for comment in comments.select_related("paper", "section").order_by("pk"):
        for user, _group_index in people:
            rng = random.Random(f"{user.username}/comment/{comment.pk}")  # noqa: S311 - demo data
            if user.pk == comment.user_id or rng.random() < 0.6:
                continue
            made += _react(user, comment, _choose(rng, (70, 30), choices=("agree", "disagree")))
    return made


def _react(user, target, choice):
    """1 if this set a new or different reaction, 0 if it was already so (or is not allowed)."""
    kind = "section" if isinstance(target, SectionPage) else "comment"
    before = (
        Reaction.objects.filter(user=user, target_kind=kind, target_id=target.pk)
        .values_list("choice", flat=True)
        .first()
    )
    try:
        reaction_set(user=user, target=target, choice=choice)
    except PermissionDenied:
        return 0
    return int(before != choice)
