from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from core.page_cache import CachedPageMixin


class HomePage(CachedPageMixin, Page):
    """The site's front page: what Open Policy is, and the way in to consultations."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["consultation.ConsultationIndexPage", "core.ContentPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        # The project layer imports no feature app: apps add what the front
        # page lists through this hook (consultation/wagtail_hooks.py).
        context = super().get_context(request, *args, **kwargs)
        for hook in hooks.get_hooks("construct_home_page_context"):
            hook(request, context)
        return context


class ContentPage(CachedPageMixin, Page):
    """A plain page of prose, such as the accessibility statement."""

    body = RichTextField(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("body")]

    parent_page_types = ["core.HomePage"]
    subpage_types = []
