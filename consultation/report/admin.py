"""Wagtail admin: freeze the consensus report for the signed version.

Editors who may publish the paper, during sign-off (`consultation.freeze_report`),
freeze it here; `report_freeze` checks the same rule.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from consultation.models import FrozenReport, PolicyPaperPage
from consultation.models.pages import Stage
from consultation.report.builder import report_build
from consultation.report.services import report_freeze
from core.converters import ID_PATTERN  # noqa: F401  (registers <id:...>)


class FreezeReportView(WagtailAdminTemplateMixin, TemplateView):
    """What freezing will keep, the button to do it, and the reports already frozen."""

    template_name = "consultation/report/admin_freeze.html"
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        self.paper = get_object_or_404(PolicyPaperPage, pk=kwargs["paper_id"])
        # Editors see this page whatever the stage (to find frozen reports); freezing needs the rule.
        if not request.user.has_perm("consultation.manage_report", self.paper):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Consensus report: {self.paper.title}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailadmin_pages:edit", args=[self.paper.pk]), "label": self.paper.title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paper = self.paper
        frozen = list(FrozenReport.objects.filter(paper=paper).defer("pdf", "html", "csv", "snapshot_json"))
        can_freeze = self.request.user.has_perm("consultation.freeze_report", paper)
        already = any(f.version_label == paper.version_label for f in frozen)
        context.update(
            {
                "paper": paper,
                "public_url": paper.url,
                "frozen_reports": frozen,
                "can_freeze": can_freeze and not already,
                "already_frozen": already,
                "stage_is_signoff": paper.consultation.current_stage == Stage.SIGNOFF,
                "stage_label": paper.consultation.get_current_stage_display(),
                "preview": report_build(paper=paper) if can_freeze and not already else None,
                "error": kwargs.get("error"),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            frozen = report_freeze(
                paper=self.paper, actor=request.user, base_url=request.build_absolute_uri("/")
            )
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(getattr(error, "messages", None) or [str(error)])
            return self.render_to_response(self.get_context_data(error=message), status=400)
        messages.success(
            request,
            f"The report for {frozen.version_label} is frozen. It is listed in the public process record "
            "and will never change.",
        )
        return redirect("consultation_report:freeze", paper_id=self.paper.pk)


@hooks.register("register_admin_urls")
def register_report_urls():
    urls = [path("<id:paper_id>/", FreezeReportView.as_view(), name="freeze")]
    return [path("consultation-report/", include((urls, "consultation_report")))]


def _buttons(page, user):
    specific = page.specific_deferred
    if isinstance(specific, PolicyPaperPage) and user.has_perm("consultation.manage_report", specific):
        yield Button(
            "Freeze report" if user.has_perm("consultation.freeze_report", specific) else "Frozen reports",
            reverse("consultation_report:freeze", args=[page.pk]),
            icon_name="lock",
            priority=16,
        )


@hooks.register("register_page_header_buttons")
def report_header_buttons(page, user, view_name=None, next_url=None):
    yield from _buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def report_listing_buttons(page, user, next_url=None):
    yield from _buttons(page, user)
