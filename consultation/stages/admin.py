"""Wagtail admin: move a consultation between stages, and see sign-off status.

Editors who may publish a consultation page (`consultation.move_stage`) move it
here, never in the page editor (the stage is read-only there), so each move
goes through `consultation_move_stage`: checked, recorded, announced.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from consultation.models import ConsultationPage, StageChange
from consultation.models.pages import Stage
from consultation.signoffs.selectors import consultation_signoff_status
from consultation.stages.forms import StageMoveForm
from consultation.stages.services import consultation_move_stage, stage_moves_allowed
from core.converters import ID_PATTERN  # noqa: F401  (registers <id:...>)


class StageOverviewView(WagtailAdminTemplateMixin, TemplateView):
    """Every consultation the editor may move, its stage and its sign-off status."""

    template_name = "consultation/stages/admin/stage_overview.html"
    page_title = "Stages and sign-off"
    header_icon = "tasks"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for consultation in ConsultationPage.objects.order_by("title"):
            if not self.request.user.has_perm("consultation.move_stage", consultation):
                continue
            rows.append(
                {
                    "consultation": consultation,
                    "status": consultation_signoff_status(consultation=consultation),
                }
            )
        context["rows"] = rows
        return context


class StageMoveView(WagtailAdminTemplateMixin, FormView):
    template_name = "consultation/stages/admin/stage_move.html"
    header_icon = "tasks"
    form_class = StageMoveForm

    def dispatch(self, request, *args, **kwargs):
        self.consultation = get_object_or_404(ConsultationPage, pk=kwargs["page_id"])
        if not request.user.has_perm("consultation.move_stage", self.consultation):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Move stage: {self.consultation.title}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("consultation_stages:overview"), "label": "Stages and sign-off"},
            {"url": "", "label": self.consultation.title},
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["allowed"] = stage_moves_allowed(stage=self.consultation.current_stage)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "consultation": self.consultation,
                "status": consultation_signoff_status(consultation=self.consultation),
                "history": StageChange.objects.filter(consultation=self.consultation).select_related("actor"),
                "scrutiny_is_next": Stage.SCRUTINY
                in stage_moves_allowed(stage=self.consultation.current_stage),
            }
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            change = consultation_move_stage(
                consultation=self.consultation,
                to_stage=data["to_stage"],
                actor=self.request.user,
                reason=data["reason"],
                override=data["override"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"“{self.consultation.title}” moved to {change.get_to_stage_display()}. "
            "The move is in the public process record and subscribers are being emailed.",
        )
        return redirect("consultation_stages:move", page_id=self.consultation.pk)


@hooks.register("register_admin_urls")
def register_stage_urls():
    from django.urls import include

    urls = [
        path("", StageOverviewView.as_view(), name="overview"),
        path("<id:page_id>/", StageMoveView.as_view(), name="move"),
    ]
    return [path("consultation-stages/", include((urls, "consultation_stages")))]


class StagesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin")


@hooks.register("register_admin_menu_item")
def register_stages_menu_item():
    return StagesMenuItem(
        "Stages and sign-off", reverse("consultation_stages:overview"), icon_name="tasks", order=250
    )


@hooks.register("register_page_header_buttons")
def stage_header_button(page, user, view_name=None, next_url=None):
    if isinstance(page.specific_deferred, ConsultationPage) and user.has_perm(
        "consultation.move_stage", page
    ):
        yield Button(
            "Move stage",
            reverse("consultation_stages:move", args=[page.pk]),
            icon_name="tasks",
            priority=12,
        )


@hooks.register("register_page_listing_more_buttons")
def stage_listing_button(page, user, next_url=None):
    if isinstance(page.specific_deferred, ConsultationPage) and user.has_perm(
        "consultation.move_stage", page
    ):
        yield Button(
            "Move stage",
            reverse("consultation_stages:move", args=[page.pk]),
            icon_name="tasks",
            priority=12,
        )
