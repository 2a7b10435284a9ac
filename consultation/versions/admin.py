"""Wagtail admin: publish a named version of a paper, and respond to its feedback.

Editors who may publish the paper (`consultation.publish_version`,
`consultation.respond`) do both here; the services check the same rules.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from consultation.models import Comment, PaperVersion, PolicyPaperPage, Response, SectionPage
from consultation.models.pages import paper_sections
from consultation.versions.forms import ResponseForm, VersionPublishForm
from consultation.versions.responses import response_create
from consultation.versions.selectors import CURRENT, compare
from consultation.versions.services import version_publish
from core.converters import ID_PATTERN  # noqa: F401  (registers <id:...>)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(
                None if field == NON_FIELD_ERRORS or field not in form.fields else field, messages_
            )
    else:
        for message in error.messages:
            form.add_error(None, message)


class PaperAdminView(WagtailAdminTemplateMixin, FormView):
    header_icon = "history"
    rule = None

    def dispatch(self, request, *args, **kwargs):
        self.paper = get_object_or_404(PolicyPaperPage, pk=kwargs["paper_id"])
        if not request.user.has_perm(self.rule, self.paper):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailadmin_pages:edit", args=[self.paper.pk]), "label": self.paper.title},
            {"url": "", "label": self.get_page_title()},
        ]


class VersionsView(PaperAdminView):
    """The paper's versions, what would change in the next, and the form to publish it."""

    template_name = "consultation/admin/versions.html"
    form_class = VersionPublishForm
    rule = "consultation.publish_version"

    def get_page_title(self):
        return f"Versions: {self.paper.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(PaperVersion.objects.filter(paper=self.paper).order_by("-number"))
        context.update(
            {
                "paper": self.paper,
                "versions": versions,
                "next_label": f"v{versions[0].number + 1 if versions else 1}",
                "public_url": self.paper.url,
            }
        )
        if versions:
            pending = compare(paper=self.paper, old=versions[0].number, new=CURRENT)
            context["pending"] = pending["diff"]
            context["pending_from"] = versions[0]
        return context

    def form_valid(self, form):
        try:
            version = version_publish(
                paper=self.paper,
                actor=self.request.user,
                change_note=form.cleaned_data["change_note"],
                name=form.cleaned_data.get("name", ""),
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{version.label} of “{self.paper.title}” is published. It is in the public process record, "
            "and subscribers are being emailed.",
        )
        return redirect("consultation_versions:versions", paper_id=self.paper.pk)


class RespondView(PaperAdminView):
    """“You said, we did”: respond to a comment or to a section's feedback."""

    template_name = "consultation/admin/respond.html"
    form_class = ResponseForm
    rule = "consultation.respond"

    def get_page_title(self):
        return f"Respond to feedback: {self.paper.title}"

    def get_form_kwargs(self):
        # Only this paper's sections, comments and versions can be chosen.
        self.sections = paper_sections(paper=self.paper)
        self.comments = list(
            Comment.objects.filter(paper=self.paper, is_public=True, is_removed=False).order_by(
                "thread_id", "order"
            )
        )
        self.versions = list(PaperVersion.objects.filter(paper=self.paper).order_by("-number"))
        kwargs = super().get_form_kwargs()
        kwargs.update(sections=self.sections, comments=self.comments, versions=self.versions)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        for kind in ("comment", "section"):
            if self.request.GET.get(kind, "").isdigit():
                initial["target"] = f"{kind}:{self.request.GET[kind]}"
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["paper"] = self.paper
        context["responses"] = (
            Response.objects.filter(paper=self.paper)
            .select_related("changed_in")
            .order_by("-created_at", "-pk")
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        kind, _, pk = data["target"].partition(":")
        target = {}
        if kind == "comment":
            target["comment"] = next((c for c in self.comments if str(c.pk) == pk), None)
        else:
            target["section"] = next((s for s in self.sections if str(s.pk) == pk), None)
        changed_in = next((v for v in self.versions if str(v.pk) == data["changed_in"]), None)
        if None in target.values():
            form.add_error("target", "Choose a section or comment of this paper.")
            return self.form_invalid(form)
        try:
            response_create(
                actor=self.request.user,
                outcome=data["outcome"],
                reason=data["reason"],
                changed_in=changed_in,
                **target,
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your response is published and in the public process record.")
        return redirect("consultation_versions:respond", paper_id=self.paper.pk)


@hooks.register("register_admin_urls")
def register_version_urls():
    urls = [
        path("<id:paper_id>/", VersionsView.as_view(), name="versions"),
        path("<id:paper_id>/respond/", RespondView.as_view(), name="respond"),
    ]
    return [path("consultation-versions/", include((urls, "consultation_versions")))]


def _buttons(page, user):
    specific = page.specific_deferred
    if isinstance(specific, PolicyPaperPage):
        if user.has_perm("consultation.publish_version", specific):
            yield Button(
                "Versions",
                reverse("consultation_versions:versions", args=[page.pk]),
                icon_name="history",
                priority=13,
            )
        if user.has_perm("consultation.respond", specific):
            yield Button(
                "Respond to feedback",
                reverse("consultation_versions:respond", args=[page.pk]),
                icon_name="comment",
                priority=14,
            )
    elif isinstance(specific, SectionPage):
        paper = specific.get_parent()
        if user.has_perm("consultation.respond", paper.specific):
            url = reverse("consultation_versions:respond", args=[paper.pk]) + f"?section={page.pk}"
            yield Button("Respond to feedback", url, icon_name="comment", priority=14)


@hooks.register("register_page_header_buttons")
def version_header_buttons(page, user, view_name=None, next_url=None):
    yield from _buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def version_listing_buttons(page, user, next_url=None):
    yield from _buttons(page, user)


@hooks.register("before_delete_page")
def keep_papers_with_versions(request, page):
    """A paper with published versions is part of the public record: it can be
    unpublished, not deleted (the database would refuse anyway)."""
    if (
        isinstance(page.specific_deferred, PolicyPaperPage)
        and PaperVersion.objects.filter(paper_id=page.pk).exists()
    ):
        messages.error(
            request,
            f"“{page.title}” has published versions, which are part of the public record, so it cannot be "
            "deleted. Unpublish it instead.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None
