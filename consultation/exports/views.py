"""Serving the exports: each paper version's, the current text's and the whole consultation's
four CSV files and their zip (docs/exports.md).

Each is refused to whoever may not read the paper's report
(`consultation.view_report`), with the explainer's sentence; what is in them
is the same for everyone who may (public sections only), so one build is
cached per state of the votes and the text.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from consultation.explain import explain
from consultation.exports.render import FILES, ZIP_NAME, Export
from consultation.models import Comment, ConsultationPage, PaperVersion, PolicyPaperPage, Proposal
from consultation.opinions.selectors import consultation_votes, version_votes, votes_stamp
from consultation.versions.diff import html_to_text

CSV = "text/csv; charset=utf-8"


def _comments_stamp(paper):
    """Moves when a comment is posted or hidden, or a proposal is made or decided: one query each."""
    comments = Comment.objects.filter(paper=paper).aggregate(n=Count("pk"), hidden=Max("hidden_at"))
    proposals = Proposal.objects.filter(paper=paper).aggregate(n=Count("pk"), last=Max("updated_at"))
    parts = [comments["n"], comments["hidden"], proposals["n"], proposals["last"]]
    return ":".join(str(p.timestamp() if hasattr(p, "timestamp") else p) for p in parts)


def _refuse(request, paper):
    text = explain(request.user, "consultation.view_report", paper).message
    return HttpResponse(text, status=403, content_type="text/plain; charset=utf-8")


def _respond(content, *, name, stem):
    kind = "application/zip" if name == ZIP_NAME else CSV
    response = HttpResponse(content, content_type=kind)
    filename = f"{stem}.zip" if name == ZIP_NAME else f"{stem}-{name}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cached(key, make):
    seconds = int(getattr(settings, "EXPORT_CACHE_SECONDS", 300))
    if not seconds:
        return make()
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, seconds)
    return value


def _content(export, name, folder):
    return export.zip(folder=folder) if name == ZIP_NAME else export.file(name)


def _check(name):
    if name not in (ZIP_NAME, *FILES):
        raise Http404


def _everything(request):
    """`?statements=all`: published comments and proposals as statements too (docs/exports.md)."""
    return request.GET.get("statements") == "all"


def _paper_export(request, paper, version, name):
    if not request.user.has_perm("consultation.view_report", paper):
        return _refuse(request, paper)
    label = version.label if version is not None else paper.version_label
    everything = _everything(request)
    stem = f"{slugify(paper.title)[:60]}-{label}" + ("-all" if everything else "")

    def make():
        export = Export(
            version_votes(paper=paper, version=version, everything=everything),
            title=f"{paper.title} ({label})",
            url=request.build_absolute_uri(paper.get_url(request=request) or "/"),
            description=html_to_text(version.summary_html if version is not None else paper.summary or ""),
            scope=f"paper {paper.pk}, version {label}",
        )
        return _content(export, name, stem)

    key = f"exports:{votes_stamp(paper, version)}:{everything}:{_comments_stamp(paper)}:{name}"
    return _respond(_cached(key, make), name=name, stem=stem)


def paper_export(request, paper_id, name):
    _check(name)
    paper = get_object_or_404(PolicyPaperPage.objects.live().specific(), pk=paper_id)
    return _paper_export(request, paper, None, name)


def version_export(request, paper_id, number, name):
    _check(name)
    paper = get_object_or_404(PolicyPaperPage.objects.live().specific(), pk=paper_id)
    version = get_object_or_404(PaperVersion, paper=paper, number=number)
    return _paper_export(request, paper, version, name)


def consultation_export(request, consultation_id, name):
    """Every live paper of the consultation the reader may read the report of, at its current text."""
    _check(name)
    consultation = get_object_or_404(ConsultationPage.objects.live(), pk=consultation_id)
    papers = [
        paper
        for paper in PolicyPaperPage.objects.live().child_of(consultation).order_by("path")
        if request.user.has_perm("consultation.view_report", paper)
    ]
    everything = _everything(request)
    stem = f"{slugify(consultation.title)[:60]}-consultation" + ("-all" if everything else "")

    def make():
        export = Export(
            consultation_votes(consultation=consultation, papers=papers, everything=everything),
            title=consultation.title,
            url=request.build_absolute_uri(consultation.get_url(request=request) or "/"),
            description=html_to_text(consultation.summary or ""),
            scope=f"consultation {consultation.pk}, papers " + ", ".join(str(p.pk) for p in papers),
        )
        return _content(export, name, stem)

    state = "|".join(f"{votes_stamp(p, None)}:{_comments_stamp(p)}" for p in papers) + f"|{everything}"
    key = f"exports:c:{consultation.pk}:{hashlib.sha256(state.encode()).hexdigest()}:{name}"
    return _respond(_cached(key, make), name=name, stem=stem)
