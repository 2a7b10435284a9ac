"""The public search page, `/search/`: a plain GET form, results grouped by kind."""

from django.template.response import TemplateResponse

from consultation.models.pages import Stage
from core.limits import TOO_MANY_PAGE, limit_exceeded

from .selectors import KINDS, search, search_filters


def _int_or_none(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def search_page(request):
    query = (request.GET.get("q") or "").strip()
    consultation_id = _int_or_none(request.GET.get("consultation"))
    stage = request.GET.get("stage") if request.GET.get("stage") in Stage.values else ""
    kind = request.GET.get("type") if request.GET.get("type") in KINDS else ""
    # Each search is a full-text query over everything published: counted per
    # person or address, so a script cannot keep the database busy.
    limited = bool(query) and limit_exceeded(request, "search")
    results = (
        search(
            user=request.user,
            query=query,
            consultation_id=consultation_id,
            stage=stage or None,
            kind=kind or None,
        )
        if query and not limited
        else {}
    )
    groups = [
        {"kind": k, "label": KINDS[k], "hits": hits, "id": f"results-{k}"}
        for k, hits in results.items()
        if hits
    ]
    return TemplateResponse(
        request,
        "consultation/search/search.html",
        {
            "query": query,
            "consultation_id": consultation_id,
            "stage": stage,
            "kind": kind,
            "groups": groups,
            "total": sum(len(g["hits"]) for g in groups),
            "limited": TOO_MANY_PAGE if limited else "",
            **search_filters(),
        },
        status=429 if limited else 200,
    )
