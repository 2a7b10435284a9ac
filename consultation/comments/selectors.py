"""Reads of comments.

A paper's comments load in one query and its counts in one aggregate query,
whatever their number; threads are built in memory from comments-xtd's
(thread_id, order), which lists each thread depth first.
"""

from django.conf import settings
from django.db.models import Count

from consultation.models.comments import Comment, PaperFollow
from consultation.models.proposals import proposal_content_type_id


def _visible_comments(paper):
    # A competing proposal's discussion has its own page and count (proposals.selectors).
    return (
        Comment.objects.select_related(None)
        .filter(paper=paper, is_public=True, is_removed=False)
        .exclude(content_type_id=proposal_content_type_id())
    )


def comment_counts(*, paper):
    """Comments not hidden by a moderator, per section id (None: the paper itself)."""
    rows = (
        _visible_comments(paper)
        .filter(hidden_at__isnull=True)
        .order_by()
        .values("section_id")
        .annotate(n=Count("pk"))
    )
    return {row["section_id"]: row["n"] for row in rows}


def comment_threads(*, paper, section=None):
    """{section id or None: [top-level comments]}, each comment with `.replies`."""
    comments = _visible_comments(paper).order_by("thread_id", "order")
    if section is not None:
        comments = comments.filter(section=section)
    threads, open_chains = {}, {}
    for comment in comments:
        comment.replies = []
        chain = open_chains.setdefault(comment.section_id, [])
        while chain and chain[-1].level >= comment.level:
            chain.pop()
        if chain:
            chain[-1].replies.append(comment)
        else:
            threads.setdefault(comment.section_id, []).append(comment)
        chain.append(comment)
    return threads


def _comment_permissions(user, paper):
    return {
        "can_moderate": user.has_perm("consultation.moderate"),
        "can_follow_paper": user.has_perm("consultation.follow_paper", paper),
        "is_following_paper": user.is_authenticated
        and PaperFollow.objects.filter(paper=paper, user=user).exists(),
        "comment_max_level": settings.COMMENTS_XTD_MAX_THREAD_LEVEL,
    }


def _attach_section_comments(section, threads, counts, user, can_read):
    section.comment_count = counts.get(section.pk, 0)
    # Comments may quote a restricted text: they are withheld with it.
    section.comments_withheld = not can_read
    section.comment_threads = threads.get(section.pk, []) if can_read else []
    section.can_comment = user.has_perm("consultation.comment_section", section)


def paper_comments(*, paper, sections, user):
    """Threads, counts and permissions for every section of a paper and the paper itself."""
    threads = comment_threads(paper=paper)
    counts = comment_counts(paper=paper)
    for section in sections:
        _attach_section_comments(section, threads, counts, user, section.can_read_body)
    can_read_paper = user.has_perm("consultation.view_body", paper)
    return {
        "paper_comment_threads": threads.get(None, []) if can_read_paper else [],
        "paper_comment_count": counts.get(None, 0),
        "paper_comments_withheld": not can_read_paper,
        "can_comment_paper": user.has_perm("consultation.comment_paper", paper),
        "comments_total": sum(counts.values()),
        **_comment_permissions(user, paper),
    }


def section_comments(*, section, user):
    """Threads, count and permissions for one section, on its own page."""
    paper = section.paper
    threads = comment_threads(paper=paper, section=section)
    counts = comment_counts(paper=paper)
    _attach_section_comments(section, threads, counts, user, user.has_perm("consultation.view_body", section))
    return _comment_permissions(user, paper)


def proposal_comment_counts(*, paper):
    """Visible comments per proposal of the paper (one aggregate query)."""
    rows = (
        Comment.objects.filter(
            paper=paper,
            content_type_id=proposal_content_type_id(),
            is_public=True,
            is_removed=False,
            hidden_at__isnull=True,
        )
        .order_by()
        .values("object_pk")
        .annotate(n=Count("pk"))
    )
    return {int(row["object_pk"]): row["n"] for row in rows}
