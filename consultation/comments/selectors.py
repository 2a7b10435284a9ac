"""Reads of comments.

Pages are bounded by design: the paper page shows, for each section and for
the paper as a whole, only the most recent threads (PAPER_COMMENT_THREADS),
each cut to its first PAPER_THREAD_COMMENTS comments; every comment is read
on its section's own page (or the paper's comments page), where threads are
paged (COMMENT_THREADS_PER_PAGE). Each page reads its comments in a fixed
number of queries whatever their number, and renders a bounded number of them.
Threads are built in memory from comments-xtd's (thread_id, order), which lists
each thread depth first, so any prefix of a thread is itself a tree.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from consultation.models.comments import Comment, PaperFollow
from consultation.models.proposals import proposal_content_type_id

DEFAULT_PAPER_COMMENT_THREADS = 3
DEFAULT_PAPER_THREAD_COMMENTS = 5
DEFAULT_COMMENT_THREADS_PER_PAGE = 20


def _visible_comments(paper):
    # A competing proposal's discussion has its own page and count (proposals.selectors).
    return (
        Comment.objects.select_related(None)
        .filter(paper=paper, is_public=True, is_removed=False)
        .exclude(content_type_id=proposal_content_type_id())
    )


def _of_sections(comments, section_ids, paper_own):
    """`comments` narrowed to `section_ids` (None: every section) and, if `paper_own`, the
    paper's own; None where that is nothing at all (no query needed)."""
    if section_ids is None:
        return comments
    if not section_ids and not paper_own:
        return None
    condition = Q(section_id__in=section_ids)
    if paper_own:
        condition |= Q(section__isnull=True)
    return comments.filter(condition)


def comment_counts(*, paper, section_ids=None, paper_own=True):
    """Comments not hidden by a moderator, per section id (None: the paper itself). With
    `section_ids`, only those sections' (and, unless `paper_own` is False, the paper's
    own): no query at all for none."""
    rows = _of_sections(_visible_comments(paper).filter(hidden_at__isnull=True), section_ids, paper_own)
    if rows is None:
        return {}
    rows = rows.order_by().values("section_id").annotate(n=Count("pk"))
    return {row["section_id"]: row["n"] for row in rows}


def paper_page_limits():
    return (
        getattr(settings, "PAPER_COMMENT_THREADS", DEFAULT_PAPER_COMMENT_THREADS),
        getattr(settings, "PAPER_THREAD_COMMENTS", DEFAULT_PAPER_THREAD_COMMENTS),
    )


def recent_comment_threads(*, paper, section_ids=None, paper_own=True):
    """{section id or None: [top-level comments]} for the paper page: per section (and for
    the paper itself) the latest PAPER_COMMENT_THREADS threads, newest first, each
    cut to its first PAPER_THREAD_COMMENTS comments. Two queries whatever the number of
    comments (window functions rank threads per section and comments per thread).
    With `section_ids`, only those sections' (and, unless `paper_own` is False, the
    paper's own) threads: none at all for no sections and not the paper's own."""
    threads_each, comments_each = paper_page_limits()
    roots = _of_sections(_visible_comments(paper).filter(level=0), section_ids, paper_own)
    if roots is None:
        return {}
    ranked_roots = (
        roots.annotate(
            rank=Window(RowNumber(), partition_by=[F("section_id")], order_by=F("thread_id").desc())
        )
        .filter(rank__lte=threads_each)
        .values_list("thread_id", flat=True)
    )
    thread_ids = list(ranked_roots)
    if not thread_ids:
        return {}
    comments = (
        _visible_comments(paper)
        .filter(thread_id__in=thread_ids)
        .annotate(position=Window(RowNumber(), partition_by=[F("thread_id")], order_by=F("order").asc()))
        .filter(position__lte=comments_each)
        .order_by("-thread_id", "order")
    )
    return _build_threads(comments)


def threads_per_page():
    return getattr(settings, "COMMENT_THREADS_PER_PAGE", DEFAULT_COMMENT_THREADS_PER_PAGE)


def _roots(paper, section):
    # The paper's own comments have no section; `section=None` would match nothing useful.
    roots = _visible_comments(paper).filter(level=0)
    return roots.filter(section__isnull=True) if section is None else roots.filter(section=section)


def thread_page(*, paper, section, page_number):
    """One page of a section's (or, with section None, the paper's) threads, newest first,
    every comment of each: (Django Page of thread ids, their threads).
    Three queries: the count, the page's roots and their threads' comments."""
    roots = _roots(paper, section).order_by("-thread_id").values_list("thread_id", flat=True)
    page = Paginator(roots, threads_per_page()).get_page(page_number)
    thread_ids = list(page.object_list)
    if not thread_ids:
        return page, []
    comments = _visible_comments(paper).filter(thread_id__in=thread_ids).order_by("-thread_id", "order")
    return page, _build_threads(comments).get(section.pk if section is not None else None, [])


def comment_page_number(*, comment):
    """Which page of its section's (or paper's) threads a comment is on, newest threads first."""
    section = comment.section if comment.section_id else None
    newer = _roots(comment.paper, section).filter(thread_id__gt=comment.thread_id).count()
    return newer // threads_per_page() + 1


def comment_location(*, comment):
    """Where a comment is read in full: its thread's page on its section's own page, or on
    the paper's comments page (one query); a proposal's discussion has its own page."""
    if comment.is_on_proposal:
        return comment.get_absolute_url()
    if comment.section_id:
        base = comment.section.url
    else:
        base = comment.paper.url + comment.paper.reverse_subpage("comments")
    number = comment_page_number(comment=comment)
    return f"{base}{f'?page={number}' if number > 1 else ''}#{comment.anchor}"


def _build_threads(comments):
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


def _mark_cut_threads(threads):
    """A thread cut short on the paper page knows how many of its replies are not shown."""
    for thread in threads:
        thread.replies_not_shown = max(0, (thread.nested_count or 0) - (_count_tree(thread) - 1))


def _count_tree(comment):
    return 1 + sum(_count_tree(reply) for reply in comment.replies)


def _attach_section_comments(section, threads, counts, user, can_read):
    section.comment_count = counts.get(section.pk, 0)
    # Comments may quote a restricted text: they are withheld with it.
    section.comments_withheld = not can_read
    section.comment_threads = threads.get(section.pk, []) if can_read else []
    section.can_comment = user.has_perm("consultation.comment_section", section)


def paper_comments(*, paper, sections, user, rendered=None, stored_counts=None, paper_own=True):
    """The paper page's comments: for every section and the paper itself the most recent
    threads (bounded, see `recent_comment_threads`), counts and permissions. Sections
    not in `rendered` (default: all) get only their count: their rendering is cached;
    `stored_counts` ({section id: count}) are counts stored with such renderings, not
    counted again; with `paper_own` False the paper's own threads are not read (their
    rendering is stored)."""
    rendered = sections if rendered is None else rendered
    threads = recent_comment_threads(
        paper=paper, section_ids=[section.pk for section in rendered], paper_own=paper_own
    )
    stored_counts = stored_counts or {}
    # The paper's own count is shown only in its own comments' rendering.
    counted = comment_counts(
        paper=paper,
        section_ids=[section.pk for section in sections if section.pk not in stored_counts],
        paper_own=paper_own,
    )
    counts = {**counted, **stored_counts}
    for thread_list in threads.values():
        _mark_cut_threads(thread_list)
    for section in sections:
        section.comment_count = counts.get(section.pk, 0)
    for section in rendered:
        _attach_section_comments(section, threads, counts, user, section.can_read_body)
    can_read_paper = user.has_perm("consultation.view_body", paper)
    return {
        "paper_comment_threads": threads.get(None, []) if can_read_paper else [],
        "paper_comment_count": counts.get(None, 0),
        "paper_comments_withheld": not can_read_paper,
        "can_comment_paper": user.has_perm("consultation.comment_paper", paper),
        "comments_bounded": True,
        **_comment_permissions(user, paper),
    }


def section_comments(*, section, user, page_number=1):
    """One page of a section's threads (every comment of each), its count and permissions,
    on the section's own page."""
    paper = section.paper
    can_read = user.has_perm("consultation.view_body", section)
    counts = comment_counts(paper=paper)
    page, threads = (
        thread_page(paper=paper, section=section, page_number=page_number) if can_read else (None, [])
    )
    _attach_section_comments(section, {section.pk: threads}, counts, user, can_read)
    return {"comment_page": page, **_comment_permissions(user, paper)}


def paper_thread_comments(*, paper, user, page_number=1):
    """One page of the comments on the paper as a whole (every comment of each thread)."""
    can_read = user.has_perm("consultation.view_body", paper)
    counts = comment_counts(paper=paper)
    page, threads = (
        thread_page(paper=paper, section=None, page_number=page_number) if can_read else (None, [])
    )
    return {
        "paper_comment_threads": threads,
        "comment_page": page,
        "paper_comment_count": counts.get(None, 0),
        "paper_comments_withheld": not can_read,
        "can_comment_paper": user.has_perm("consultation.comment_paper", paper),
        **_comment_permissions(user, paper),
    }


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
