"""What the read API serves, as plain data, asked of the same rules as the pages.

Every body of text is released through the rule its page asks
(`consultation.view_body`, `view_comment`, `view_proposal`, `view_tallies`,
`view_report`, `view_version_text`); where it is refused, the field is `null`
and `withheld` carries the explainer's code and sentence, as the page shows
them. Hidden comments are tombstones: the date and the moderator's public
reason, no text and no author. Email addresses are never read.

Queries are fixed per request whatever the number of rows (permissions are
asked once per page of the tree, not once per comment).
"""

import json

from django.db.models import Q
from django.http import Http404

from consultation.comments.selectors import comment_counts
from consultation.models import (
    Comment,
    ConsultationPage,
    PolicyPaperPage,
    Proposal,
    RecordEntry,
    Response,
    SectionPage,
)
from consultation.models.pages import paper_sections
from consultation.models.proposals import proposal_get as proposal_with_pages
from consultation.proposals.selectors import paper_support_context, support_of
from consultation.reactions.selectors import empty_tally, reaction_tallies
from consultation.record.selectors import record_as_json
from consultation.report.views import ReportCache
from consultation.signoffs.selectors import paper_signoff_status
from consultation.versions.selectors import paper_versions, text_is_public, version_get, version_sections

from .http import keyset_page, last_modified

# ---------------------------------------------------------------- lookups


def consultations_public():
    return ConsultationPage.objects.live().public()


def consultation_get(consultation_id):
    try:
        return consultations_public().get(pk=consultation_id)
    except ConsultationPage.DoesNotExist as missing:
        raise Http404("No such consultation.") from missing


def paper_get(paper_id):
    try:
        return PolicyPaperPage.objects.live().public().get(pk=paper_id)
    except PolicyPaperPage.DoesNotExist as missing:
        raise Http404("No such paper.") from missing


def proposal_get(proposal_id):
    """A proposal on a live, public paper (the rule on its section is asked by the view)."""
    proposal = proposal_with_pages(proposal_id=proposal_id)
    if proposal is None or not PolicyPaperPage.objects.live().public().filter(pk=proposal.paper_id).exists():
        raise Http404("No such proposal.")
    return proposal


def section_get(section_id):
    try:
        return SectionPage.objects.live().public().get(pk=section_id)
    except SectionPage.DoesNotExist as missing:
        raise Http404("No such section.") from missing


# ---------------------------------------------------------------- shared pieces


def body_withheld(user, page):
    """None when `user` may read the page's text (`consultation.view_body`), otherwise why not:
    the restriction's published category and reason, as the page shows them."""
    if user.has_perm("consultation.view_body", page):
        return None
    restricted = page if page.restricted else getattr(page, "paper", page)
    if restricted.restricted:
        message = f"This text is restricted: {restricted.get_restriction_category_display()}."
        if restricted.restriction_reason:
            message += f" {restricted.restriction_reason}"
        return {"code": "restricted", "message": message}
    return {"code": "not_published", "message": "This text is not published."}


def restriction(obj):
    if not obj.restricted:
        return None
    return {
        "category": obj.restriction_category,
        "category_label": obj.get_restriction_category_display(),
        "reason": obj.restriction_reason,
        "review_on": getattr(obj, "restriction_review_on", None),
    }


def group_ref(group):
    return {"id": group.pk, "name": group.name, "slug": group.slug}


def iso(moment):
    return moment.isoformat() if moment is not None else None


# ---------------------------------------------------------------- consultations


def consultation_data(request, consultation):
    last_modified(request, consultation.last_published_at)
    return {
        "id": consultation.pk,
        "title": consultation.title,
        "slug": consultation.slug,
        "url": consultation.url,
        "summary_html": str(consultation.summary),
        "run_by": consultation.run_by,
        "stage": consultation.current_stage,
        "stage_label": consultation.get_current_stage_display(),
        "stage_dates": [
            {
                "stage": row.stage,
                "stage_label": row.get_stage_display(),
                "starts_on": row.starts_on,
                "ends_on": row.ends_on,
            }
            for row in consultation.stage_dates.all()
        ],
        "groups": [
            group_ref(group) for group in sorted(consultation.invited_groups.all(), key=lambda g: g.name)
        ],
        "last_published_at": iso(consultation.last_published_at),
    }


def consultation_list(request, *, cursor, limit):
    rows, next_cursor = keyset_page(
        consultations_public().prefetch_related("stage_dates", "invited_groups"), cursor=cursor, limit=limit
    )
    return {"items": [consultation_data(request, c) for c in rows], "next_cursor": next_cursor}


# ---------------------------------------------------------------- papers and sections


def section_data(request, section, *, number=None):
    refused = body_withheld(request.user, section)
    last_modified(request, section.last_published_at)
    return {
        "id": section.pk,
        "paper_id": section.paper.pk,
        "number": number,
        "heading": section.title,
        "url": section.get_permalink(),
        "restricted": bool(section.restricted),
        "restriction": restriction(section),
        "body_html": None if refused else str(section.render_body()),
        "withheld": refused,
        "last_published_at": iso(section.last_published_at),
    }


def paper_data(request, paper, *, with_sections=True):
    refused = body_withheld(request.user, paper)
    last_modified(request, paper.last_published_at)
    data = {
        "id": paper.pk,
        "consultation_id": paper.get_parent().pk,
        "title": paper.title,
        "slug": paper.slug,
        "url": paper.url,
        "version_label": paper.version_label,
        "status": paper.status,
        "restricted": bool(paper.restricted),
        "restriction": restriction(paper),
        "summary_html": None if refused else str(paper.summary),
        "withheld": refused,
        "last_published_at": iso(paper.last_published_at),
    }
    if with_sections:
        data["sections"] = [
            section_data(request, section, number=section.number) for section in paper_sections(paper=paper)
        ]
    return data


def paper_list(request, consultation, *, cursor, limit):
    papers = PolicyPaperPage.objects.live().public().child_of(consultation)
    rows, next_cursor = keyset_page(papers, cursor=cursor, limit=limit)
    return {
        "items": [paper_data(request, paper, with_sections=False) for paper in rows],
        "next_cursor": next_cursor,
    }


def section_detail(request, section):
    paper = section.paper
    numbers = list(SectionPage.objects.live().child_of(paper).order_by("path").values_list("pk", flat=True))
    section._paper_cache = paper
    return section_data(request, section, number=numbers.index(section.pk) + 1)


# ---------------------------------------------------------------- versions


def version_summary(version):
    return {
        "number": version.number,
        "label": version.label,
        "title": version.title,
        "change_note": version.change_note,
        "published_at": iso(version.published_at),
        "published_by": version.published_by_name,
        "restricted": bool(version.restricted),
    }


def version_list(request, paper):
    versions = paper_versions(paper=paper)
    last_modified(request, *(v.published_at for v in versions))
    return {"items": [{**version_summary(v), "section_count": v.section_count} for v in versions]}


def version_detail(request, paper, number):
    version = version_get(paper=paper, number=number)
    last_modified(request, version.published_at)
    public = text_is_public(version)
    return {
        **version_summary(version),
        "summary_html": version.summary_html if public else None,
        "sections": [
            {
                "section_id": snapshot.section_id,
                "position": snapshot.position,
                "heading": snapshot.heading,
                "restricted": bool(snapshot.restricted),
                "body_html": snapshot.body_html if snapshot.text_public else None,
                "withheld": None
                if snapshot.text_public
                else {"code": "restricted", "message": "This text is withheld from the public."},
            }
            for snapshot in version_sections(version=version)
        ],
    }


# ---------------------------------------------------------------- comments


def readable_pages(user, paper):
    """The ids of the paper's pages (the paper and its sections) whose comments `user` may read."""
    sections = paper_sections(paper=paper)
    ids = {section.pk for section in sections if user.has_perm("consultation.view_body", section)}
    if user.has_perm("consultation.view_body", paper):
        ids.add(paper.pk)
    return ids


def comment_data(comment):
    hidden = comment.hidden_at is not None
    if comment.is_on_proposal:
        on = {"kind": "proposal", "id": int(comment.object_pk)}
    elif comment.section_id:
        on = {"kind": "section", "id": comment.section_id}
    else:
        on = {"kind": "paper", "id": comment.paper_id}
    return {
        "id": comment.pk,
        "parent_id": None if comment.parent_id == comment.pk else comment.parent_id,
        "level": comment.level,
        "on": on,
        "url": f"/consultation/comments/{comment.pk}/",
        "submitted_at": iso(comment.submit_date),
        "version_label": comment.version_label,
        "stage": comment.stage,
        "edited_at": None if hidden or comment.edited_at is None else iso(comment.edited_at),
        "hidden": {
            "at": iso(comment.hidden_at),
            "reason": comment.hidden_reason,
            "by": "author" if comment.withdrawn_at is not None else "moderator",
        }
        if hidden
        else None,
        # A tombstone keeps no trace of what was said or who said it.
        "text": None if hidden else comment.comment,
        "author_name": None if hidden else comment.author_name,
        "organisation": None if hidden else (comment.organisation_name or None),
        "working_group": None
        if hidden or not comment.working_group_id
        else {"id": comment.working_group_id, "name": comment.working_group_name},
        "replies": [],
    }


def comment_list(request, paper, *, section_id=None, cursor, limit):
    """Threads of the paper's comments, oldest first, paged by thread: each top-level
    comment carries its replies, nested. Comments on text the reader may not read are
    left out; hidden ones are tombstones."""
    pages = readable_pages(request.user, paper)
    visible = (
        Comment.objects.select_related(None)
        .filter(paper=paper, is_public=True, is_removed=False)
        .filter(
            Q(section_id__in=pages - {paper.pk}) | Q(section__isnull=True, paper_id__in=pages & {paper.pk})
        )
    )
    if section_id is not None:
        visible = visible.filter(section_id=section_id)
    tops, next_cursor = keyset_page(visible.filter(level=0), cursor=cursor, limit=limit)
    threads = {}
    nodes = {}
    rows = visible.filter(thread_id__in=[c.pk for c in tops]).order_by("thread_id", "order")
    for comment in rows.only(
        "pk",
        "parent_id",
        "thread_id",
        "level",
        "order",
        "content_type_id",
        "object_pk",
        "paper_id",
        "section_id",
        "submit_date",
        "version_label",
        "stage",
        "hidden_at",
        "hidden_reason",
        "edited_at",
        "withdrawn_at",
        "comment",
        "author_name",
        "organisation_name",
        "working_group_id",
        "working_group_name",
    ):
        last_modified(request, comment.submit_date, comment.hidden_at, comment.edited_at)
        node = comment_data(comment)
        nodes[comment.pk] = node
        parent = nodes.get(node["parent_id"]) if node["parent_id"] else None
        if parent is not None:
            parent["replies"].append(node)
        elif comment.level == 0:
            threads[comment.pk] = node
    return {"items": [threads[c.pk] for c in tops if c.pk in threads], "next_cursor": next_cursor}


# ---------------------------------------------------------------- tallies, proposals, responses


def paper_tallies(request, paper):
    """Reaction tallies of every section the reader may see, overall, by group and public,
    from the same selector the live tallies and the report read."""
    sections = paper_sections(paper=paper)
    tallies = reaction_tallies(paper_id=paper.pk, section_ids=[s.pk for s in sections])
    counts = comment_counts(paper=paper)
    items = []
    for section in sections:
        key = f"section:{section.pk}"
        tally = tallies.get(key) or empty_tally(key)
        items.append(
            {
                "section_id": section.pk,
                "number": section.number,
                "heading": section.title,
                "comments": counts.get(section.pk, 0),
                **tally,
            }
        )
    return {"paper_id": paper.pk, "version_label": paper.version_label, "items": items}


def proposal_list(request, paper):
    pages = readable_pages(request.user, paper)
    proposals = list(
        Proposal.objects.filter(paper=paper, section_id__in=pages - {paper.pk}).order_by("created_at", "pk")
    )
    support = _support_context(paper)
    return {"items": [proposal_data(request, proposal, support) for proposal in proposals]}


def proposal_detail(request, proposal):
    """One proposal the reader may read (asked by the view), with the same figures as the list."""
    return proposal_data(request, proposal, _support_context(proposal.paper))


def _support_context(paper):
    tallies = reaction_tallies(paper_id=paper.pk)
    groups, config = paper_support_context(paper=paper, tallies=tallies)
    return {"tallies": tallies, "groups": groups, "config": config}


def proposal_data(request, proposal, support):
    support_of(proposal, **support)
    last_modified(request, proposal.updated_at)
    statistic = proposal.support["statistic"]
    return {
        "id": proposal.pk,
        "section_id": proposal.section_id,
        "url": proposal.get_absolute_url(),
        "kind": proposal.kind,
        "state": proposal.state,
        "text": proposal.text,
        "rationale": proposal.rationale,
        "author_name": proposal.author_name,
        "organisation": proposal.organisation_name or None,
        "working_group": {"id": proposal.working_group_id, "name": proposal.working_group_name}
        if proposal.working_group_id
        else None,
        "version_label": proposal.version_label,
        "stage": proposal.stage,
        "created_at": iso(proposal.created_at),
        "decided_at": iso(proposal.decided_at),
        "decision_reason": proposal.decision_reason or None,
        "incorporated_in": proposal.incorporated_in_label or None,
        "tally": proposal.tally,
        "support": {
            "score": proposal.score,
            "classification": statistic.get("classification"),
            "groups_in_verdict": statistic.get("groups_in_verdict"),
            "groups_heard": statistic.get("groups_heard"),
            "groups": [
                {
                    key: row.get(key)
                    for key in (
                        "key",
                        "name",
                        "kind",
                        "agree",
                        "disagree",
                        "neutral",
                        "agree_percent",
                    )
                }
                for row in proposal.support["groups"]
            ],
        },
    }


def response_list(request, paper):
    """ "You said, we did": each response on text the reader may read."""
    pages = readable_pages(request.user, paper)
    rows = (
        Response.objects.filter(paper=paper)
        .filter(Q(section_id__in=pages - {paper.pk}) | Q(section__isnull=True, paper_id__in=pages))
        .select_related("changed_in")
        .order_by("created_at", "pk")
    )
    items = []
    for response in rows:
        last_modified(request, response.created_at)
        items.append(
            {
                "id": response.pk,
                "section_id": response.section_id,
                "comment_id": response.comment_id,
                "outcome": response.outcome,
                "outcome_label": response.get_outcome_display(),
                "reason": response.reason,
                "changed_in": response.changed_in.label if response.changed_in_id else None,
                "by": response.responded_by_name,
                "created_at": iso(response.created_at),
            }
        )
    return {"items": items}


def signoff_list(request, paper):
    status = paper_signoff_status(paper=paper)

    def position(signoff):
        last_modified(request, signoff.recorded_at)
        return {
            "group": group_ref(signoff.group),
            "version_label": signoff.version_label,
            "position": signoff.position,
            "position_label": signoff.get_position_display(),
            "statement": signoff.statement,
            "recorded_at": iso(signoff.recorded_at),
        }

    return {
        "version_label": paper.version_label,
        "invited": status["invited"],
        "recorded": status["recorded"],
        "current": [
            {
                "group": group_ref(row["group"]),
                "signoff": position(row["signoff"]) if row["signoff"] else None,
            }
            for row in status["rows"]
        ],
        "earlier": [position(signoff) for signoff in status["earlier"]],
    }


# ---------------------------------------------------------------- record and report


def record_list(request, consultation, *, cursor, limit):
    entries = RecordEntry.objects.filter(consultation=consultation)
    rows, next_cursor = keyset_page(entries, cursor=cursor, limit=limit, key="sequence")
    last_modified(request, *(entry.created_at for entry in rows))
    return {"items": [record_as_json(entry) for entry in rows], "next_cursor": next_cursor}


def report_data(request, paper):
    """The report's own JSON snapshot (the same build and cache as report.json)."""
    last_modified(request, paper.last_published_at)
    return json.loads(ReportCache(paper).snapshot_json())
