"""Admin template helpers about pages (the unpublish confirmation: consultation/pages/services.py)."""

from django import template

from consultation.pages.services import CONTAINERS

register = template.Library()


@register.filter
def unpublishes_its_children(page):
    """Whether unpublishing `page` takes its live children off the site with it."""
    return isinstance(page.specific, CONTAINERS)
