"""The public search page, `/search/`: a plain GET form, results grouped by kind."""

from django.template.response import TemplateResponse

from consultation.models.pages import Stage

from .selectors import KINDS, search, search_filters


def _int_or_none(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def search_page(request):
    query = (request.GET.get("q") or "").strip()
    consultation_id = _int_or_none(request.GET.get("consultation"))
    stage = request.GET.get("stage") if request.GET.get("stage") in Stage.values else ""
    kind = request.GET.get("type") if request.GET.get("type") in KINDS else ""
    results = (
        search(
            user=request.user,
            query=query,
            consultation_id=consultation_id,
            stage=stage or None,
            kind=kind or None,
        )
        if query
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
            **search_filters(),
        },
    )
