"""Taking part, through the real services: comments, reactions, proposals, sign-offs.

`counted` is the check on the other side: a tally recomputed with plain COUNT
queries, independent of the selector under test.
"""

from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site

from consultation.comments.forms import CommentForm
from consultation.comments.services import comment_create
from consultation.models import Comment, Reaction
from consultation.models.reactions import CHOICES_BY_KIND
from consultation.proposals.services import proposal_create
from consultation.reactions.services import reaction_set
from workinggroups.models import Position
from workinggroups.services.signoffs import signoff_record


def add_comment(author, target, text="A comment.", parent=None, followup=True):
    return comment_create(author=author, target=target, text=text, parent=parent, followup=followup)


def post_data(target, *, text, reply_to=0, followup=True, next_url=None):
    """What the browser sends: the form's own hidden security fields plus the text."""
    form = CommentForm(target)
    data = {key: form.initial[key] for key in ("content_type", "object_pk", "timestamp", "security_hash")}
    data.update(comment=text, reply_to=reply_to, next=next_url or target.url)
    if followup:
        data["followup"] = "on"
    return data


def make_comment(*, paper, author, section=None, text="I think the threshold is too low.", **extra):
    """A comment row as the comments feature stores one (on a section, or on the paper), written
    directly: for tests of other features that need a comment but not the comment service."""
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


def react(users, target, choice):
    """Each of `users` reacts `choice` to `target`."""
    for user in users:
        reaction_set(user=user, target=target, choice=choice)


def propose(author, section, *, kind="replacement", text="New wording.", rationale="Because it is clearer."):
    return proposal_create(author=author, section=section, kind=kind, text=text, rationale=rationale)


def sign_off(tree, index, position=Position.ENDORSE, statement=""):
    """The convenor of the `index`th group of a `groups_tree` records a position on its paper."""
    return signoff_record(
        group=tree["groups"][index],
        paper=tree["paper"],
        version_label=tree["paper"].version_label,
        position=position,
        statement=statement,
        actor=tree["convenors"][index],
    )


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
