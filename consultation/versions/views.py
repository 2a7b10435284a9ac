"""Public pages of a paper's versions: the list, one version, one section of it,
a comparison of any two, “changes since vN”, and a section's history.

Served as sub-pages of the paper (see page_routes.py), so Wagtail's own
privacy settings on the paper apply to them as to the paper itself.
"""

from django import forms
from django.template.response import TemplateResponse

from consultation.versions import selectors as versions
from consultation.versions.selectors import CURRENT


def _base_context(request, paper, **extra):
    return {"page": paper, "paper": paper, "consultation": paper.consultation, "request": request, **extra}


def version_list(request, paper):
    all_versions = versions.paper_versions(paper=paper)
    return TemplateResponse(
        request,
        "consultation/versions/version_list.html",
        _base_context(
            request,
            paper,
            versions=list(reversed(all_versions)),
            compare_form=CompareForm(choices=_choices(all_versions), initial=_default_pair(all_versions)),
        ),
    )


def version_detail(request, paper, number):
    detail = versions.version_detail(paper=paper, number=number)
    return TemplateResponse(
        request,
        "consultation/versions/version_detail.html",
        _base_context(request, paper, breadcrumb=detail["version"].label, **detail),
    )


def version_section(request, paper, number, section_id):
    detail = versions.version_section_detail(paper=paper, number=number, section_id=section_id)
    breadcrumb = f"{detail['version'].label}, section {detail['snapshot'].position}"
    return TemplateResponse(
        request,
        "consultation/versions/version_section.html",
        _base_context(request, paper, breadcrumb=breadcrumb, **detail),
    )


def section_history(request, paper, section_id):
    detail = versions.section_history(paper=paper, section_id=section_id)
    return TemplateResponse(
        request,
        "consultation/versions/section_history.html",
        _base_context(request, paper, breadcrumb=f"History of “{detail['heading']}”", **detail),
    )


class CompareForm(forms.Form):
    """Which two versions to compare. Read from the query string: comparing changes nothing."""

    section = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword, so these two fields are added by name.
        self.fields["from"] = forms.ChoiceField(label="From version", choices=choices)
        self.fields["to"] = forms.ChoiceField(label="To version", choices=choices)
        self.order_fields(["from", "to", "section"])

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("from"), cleaned.get("to")
        if old and new and old == new:
            raise forms.ValidationError("Choose two different versions to compare.")
        return cleaned


def _choices(all_versions):
    return [(str(v.number), v.label) for v in reversed(all_versions)] + [(CURRENT, "the current text")]


def _default_pair(all_versions):
    """The latest change: the last two versions, or the only version against the current text."""
    if len(all_versions) >= 2:
        return {"from": str(all_versions[-2].number), "to": str(all_versions[-1].number)}
    if all_versions:
        return {"from": str(all_versions[-1].number), "to": CURRENT}
    return {"from": CURRENT, "to": CURRENT}


def _number(value):
    return CURRENT if value == CURRENT else int(value)


def version_compare(request, paper):
    all_versions = versions.paper_versions(paper=paper)
    choices = _choices(all_versions)
    data = request.GET if "from" in request.GET or "to" in request.GET else None
    form = CompareForm(data, choices=choices, initial=_default_pair(all_versions))
    context = _base_context(request, paper, versions=all_versions, compare_form=form, breadcrumb="Compare")
    status = 200
    if not all_versions:
        context["no_versions"] = True
    elif data is None:
        pair = _default_pair(all_versions)
        context.update(versions.compare(paper=paper, old=_number(pair["from"]), new=_number(pair["to"])))
    elif form.is_valid():
        context.update(
            versions.compare(
                paper=paper,
                old=_number(form.cleaned_data["from"]),
                new=_number(form.cleaned_data["to"]),
                section_id=form.cleaned_data.get("section"),
            )
        )
    else:
        status = 400
    return TemplateResponse(request, "consultation/versions/compare.html", context, status=status)


def version_since(request, paper, number):
    """What changed since version `number`: that version against the current text."""
    context = _base_context(request, paper, since=True, breadcrumb=f"Changes since v{number}")
    context.update(versions.compare(paper=paper, old=number, new=CURRENT))
    latest = versions.paper_versions(paper=paper)[-1]
    context["latest_version"] = latest
    context["current_is_latest"] = versions.current_matches_version(version=latest, current=context["new"])
    return TemplateResponse(request, "consultation/versions/compare.html", context)
