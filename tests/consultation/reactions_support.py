"""Shared set-up for the reaction tests: a paper in a stage, invited groups, people."""

from consultation.models import Reaction
from consultation.models.reactions import CHOICES_BY_KIND
from tests.factories import MembershipFactory, UserFactory, WorkingGroupFactory, build_site_tree


def reaction_tree(*, stage="review", sections=3, groups=2):
    invited = [WorkingGroupFactory() for _ in range(groups)]
    tree = build_site_tree(sections=sections, stage=stage, groups=invited)
    tree["groups"] = invited
    return tree


def member_of(group, *, role="member", **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(group=group, user=user, role=role)
    return user


def counted(paper, kind, target_id):
    """A target's tally recomputed with plain COUNT queries, independent of the selector."""
    rows = Reaction.objects.filter(paper=paper, target_kind=kind, target_id=target_id)
    choices = [c.value for c in CHOICES_BY_KIND[kind]]
    group_ids = set(rows.exclude(working_group=None).values_list("working_group_id", flat=True))
    return {
        "target": f"{kind}:{target_id}",
        "counts": {c: rows.filter(choice=c).count() for c in choices},
        "total": rows.count(),
        "members": {c: rows.filter(choice=c, is_member=True).count() for c in choices},
        "public": {c: rows.filter(choice=c, is_member=False).count() for c in choices},
        "by_group": {
            str(g): {c: rows.filter(choice=c, working_group_id=g).count() for c in choices} for g in group_ids
        },
    }


def make_comment(*, paper, author, section=None, text="I think the threshold is too low.", **extra):
    """A comment as the comments feature stores one (on a section, or on the paper)."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site

    from consultation.models import Comment

    target = section or paper
    return Comment.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_pk=str(target.pk),
        site=Site.objects.get_current(),
        user=author,
        comment=text,
        paper=paper,
        section=section,
        author_name=author.public_name,
        **extra,
    )
