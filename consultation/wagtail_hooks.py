"""Wagtail admin set-up for consultations. Each feature keeps its admin views and
hooks in its own `admin.py`; importing them here registers them (Wagtail looks
only for an app's top-level `wagtail_hooks`)."""

from wagtail import hooks

from consultation.comments import admin as comments_admin  # noqa: F401  (the moderation queue)
from consultation.pages import admin as pages_admin  # noqa: F401  (publishing only under a published parent)
from consultation.pages.selectors import consultations_by_what_readers_can_do
from consultation.proposals import admin as proposals_admin  # noqa: F401  (deciding on proposals)
from consultation.report import admin as report_admin  # noqa: F401  (freezing the consensus report)
from consultation.stages import admin as stages_admin  # noqa: F401  (stages and sign-off)
from consultation.versions import admin as versions_admin  # noqa: F401  (versions, “you said, we did”)


@hooks.register("construct_home_page_context")
def list_consultations_on_home_page(request, context):
    context["consultation_groups"] = consultations_by_what_readers_can_do()
