"""Reads for the exports: the links the report page lists."""

from django.urls import reverse

from consultation.exports.render import FILES, ZIP_NAME
from consultation.models import PaperVersion


def _files(route, **kwargs):
    return [
        {"name": name, "url": reverse(f"consultation:{route}", kwargs={**kwargs, "name": name})}
        for name in (ZIP_NAME, *FILES)
    ]


def export_links(*, paper):
    """The export of the paper's current text, of each published version (newest first), and of
    the whole consultation; one query."""
    versions = PaperVersion.objects.filter(paper=paper).order_by("-number").values_list("number", "label")
    return {
        "current": {"label": paper.version_label, "files": _files("paper_export", paper_id=paper.pk)},
        "versions": [
            {"label": label, "files": _files("version_export", paper_id=paper.pk, number=number)}
            for number, label in versions
        ],
        "consultation": _files("consultation_export", consultation_id=paper.consultation.pk),
    }
