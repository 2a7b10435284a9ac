"""Reaction buttons and tallies for templates, in a fixed number of queries.

The first tag used on a page reads the whole paper's tallies (one aggregate
query) and the person's own reactions (one query); every later section or
comment on the page reads from that, cached on the request."""

import hashlib

from django import template
from django.urls import reverse

from consultation.consensus.selectors import heatmap, report_groups, tally_statistics
from consultation.models import Comment, PolicyPaperPage, SectionPage
from consultation.models.reactions import ReactionChoice
from consultation.reactions import selectors
from consultation.reactions.services import reaction_refusal, reaction_target
from core.page_cache import fragments

register = template.Library()


def _paper_cache(context, paper):
    request = context.get("request")
    store = request.__dict__.setdefault("_reaction_tallies", {}) if request is not None else {}
    if paper.pk not in store:
        user = context.get("user") or getattr(request, "user", None)
        own = selectors.reaction_state_of_user(user=user, paper_id=paper.pk)
        # The paper page for anonymous readers around stored section renderings read only
        # the other sections' tallies (consultation/pages/cache.py).
        scoped = context.get("paper_tallies")
        if scoped is not None and scoped[0] == paper.pk:
            _, tallies, read = scoped
        else:
            tallies, read = selectors.reaction_tallies(paper_id=paper.pk), None
        store[paper.pk] = {"tallies": tallies, "read": read, "mine": own["mine"], "earlier": own["earlier"]}
    return store[paper.pk]


def _tallies_of(context, paper, sections):
    """The paper's tallies, holding at least those of `sections` (read now if the page
    read only its rendered sections' and a table row of another must be worked out)."""
    entry = _paper_cache(context, paper)
    read = entry["read"]
    missing = [] if read is None else [section.pk for section in sections if section.pk not in read]
    if missing:
        keys = [selectors.reaction_target_key("section", pk) for pk in missing]
        entry["tallies"].update(selectors.reaction_tallies(paper_id=paper.pk, targets=keys))
        read.update(missing)
    return entry["tallies"]


def _reuse_pages_in_context(context, comment):
    """Comments are loaded without their paper and section; the page being
    rendered already holds both, so use those rather than a query per comment."""
    for name in ("page", "paper"):
        candidate = context.get(name)
        if isinstance(candidate, PolicyPaperPage) and candidate.pk == comment.paper_id:
            comment.paper = candidate
            break
    section = context.get("section")
    if comment.section_id and isinstance(section, SectionPage) and section.pk == comment.section_id:
        comment.section = section


def _label(target):
    if target.kind == "section":
        number = getattr(target.section, "number", None)
        return f"section {number}, {target.section.title}" if number else f"section “{target.section.title}”"
    if target.kind == "proposal":
        return f"proposal {target.id} by {target.obj.author_name}"
    return f"the comment by {target.obj.author_name}"


def paper_reaction_cache(context, paper):
    """The paper's tallies and the person's own reactions, read once per request,
    for other tags that rank or show targets of the same paper."""
    return _paper_cache(context, paper)


@register.simple_tag(takes_context=True)
def reaction_state(context, obj):
    """Everything a reaction panel shows for a section or comment."""
    if isinstance(obj, Comment):
        _reuse_pages_in_context(context, obj)
    target = reaction_target(obj)
    user = context["request"].user
    can_view = user.has_perm("consultation.view_tallies", target.paper)
    state = {"key": target.key, "can_view": can_view, "label": _label(target), "paper_id": target.paper.pk}
    if not can_view:
        return state
    cache = _paper_cache(context, target.paper)
    tally = cache["tallies"].get(target.key) or selectors.empty_tally(target.key)
    mine = cache["mine"].get(target.key)
    # A reaction to a wording that has since changed: the person is told, and asked again.
    earlier = cache.get("earlier", {}).get(target.key)
    verdict = reaction_refusal(user=user, target=target)
    can_react = verdict.allowed
    # Sections and proposals say why the buttons are missing; under each comment that would be noise.
    explained = not can_react and target.kind in ("section", "proposal")
    state.update(
        {
            "tally": tally,
            "my_choice": mine,
            "my_choice_label": ReactionChoice(mine).label if mine else "",
            "earlier_choice_label": ReactionChoice(earlier).label if earlier else "",
            "previous": tally.get("previous"),
            "can_react": can_react,
            "refusal": verdict.message if explained else "",
            "refusal_code": verdict.code if explained else "",
            "choices": [
                {"value": c.value, "label": c.label, "pressed": c.value == mine} for c in target.choices
            ],
            "action": reverse("consultation:react", kwargs={"kind": target.kind, "target_id": target.id}),
        }
    )
    return state


def _shared_rows(kind, sections, columns):
    """{section id: (key, stored rendering or None)} for one table's rows on the paper page.

    A row is shared where its section is (`section.fragment_key`, set for anonymous
    readers by consultation/pages/cache.py) and for the same columns, so a reaction
    re-renders its own section's rows only."""
    signature = hashlib.sha256(repr(columns).encode()).hexdigest()[:16]
    keys = {
        section.pk: f"{kind}:{section.fragment_key}:{signature}"
        if getattr(section, "fragment_key", None)
        else None
        for section in sections
    }
    stored = fragments(keys.values())
    return {pk: (key, stored.get(key)) for pk, key in keys.items()}


def _rows_in_order(sections, shared, worked_out):
    """One row per section, in order: its stored rendering where `shared` has one, else
    the next of `worked_out` (the rows worked out for the others, in the same order)."""
    worked_out = iter(worked_out)
    rows = []
    for section in sections:
        key, stored = shared[section.pk]
        rows.append(
            {"fragment_key": key, "fragment": stored} if stored else {**next(worked_out), "fragment_key": key}
        )
    return rows


@register.simple_tag(takes_context=True)
def paper_tally_table(context, paper, sections):
    """The section × working-group table of a paper, and where its live updates come from."""
    user = context["request"].user
    if not user.has_perm("consultation.view_tallies", paper):
        return {"can_view": False}
    tallies = _paper_cache(context, paper)["tallies"]
    groups = selectors.tally_groups(consultation=paper.consultation, tallies=tallies)
    shared = _shared_rows("tallies", sections, [(group.pk, group.name) for group in groups])
    # Rows stored for anonymous readers are not worked out again.
    to_work_out = [s for s in sections if shared[s.pk][1] is None]
    tallies = _tallies_of(context, paper, to_work_out)
    worked_out = selectors.paper_tally_table(
        paper=paper, sections=to_work_out, tallies=tallies, groups=groups
    )
    rows = _rows_in_order(sections, shared, worked_out)
    return {"can_view": True, "groups": groups, "rows": rows, **live_hooks(paper)}


@register.simple_tag(takes_context=True)
def paper_heatmap(context, paper, sections):
    """The section × group heat-map of the paper page: each group's position on
    each section, by the report's statistic, from the tallies already read. Rows
    stored for anonymous readers (see `_shared_rows`) are not worked out again."""
    user = context["request"].user
    if not sections or not user.has_perm("consultation.view_tallies", paper):
        return None
    tallies = _paper_cache(context, paper)["tallies"]
    groups = report_groups(consultation=paper.consultation, tallies=tallies)

    def row_of(section, tally=None):
        key = selectors.reaction_target_key("section", section.pk)
        tally = tally or tallies.get(key) or selectors.empty_tally(key)
        figures = tally_statistics(tally=tally, groups=groups)
        return {
            "number": section.number,
            "title": section.title,
            "anchor": section.anchor,
            "classification": figures["classification"],
            "groups": figures["groups"],
        }

    # The columns are the groups, whatever the tallies: worked out on an empty one.
    empty = selectors.empty_tally(selectors.reaction_target_key("section", sections[0].pk))
    columns = heatmap([row_of(sections[0], empty)])["columns"]
    shared = _shared_rows("heatmap", sections, columns)
    to_work_out = [s for s in sections if shared[s.pk][1] is None]
    tallies = _tallies_of(context, paper, to_work_out)
    worked_out = heatmap([row_of(s) for s in to_work_out])["rows"]
    return {"columns": columns, "rows": _rows_in_order(sections, shared, worked_out)}


def live_hooks(paper):
    return {
        "paper_id": paper.pk,
        "ws_path": f"/ws/papers/{paper.pk}/",
        "snapshot_url": reverse("consultation:paper_tallies", kwargs={"paper_id": paper.pk}),
    }


@register.simple_tag
def live_tally_hooks(paper):
    return live_hooks(paper)
