"""Wagtail admin: a consultation, paper or section is published only under a published parent
(consultation/pages/services.py says why)."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks

from consultation.pages.services import unpublished_parent


@hooks.register("before_publish_page")
def refuse_publishing_under_an_unpublished_parent(request, page):
    """Wagtail has saved the draft by now: say why it was not published and go back to it."""
    page = page.specific
    parent = unpublished_parent(page)
    if parent is None:
        return None
    if page.live:
        # A page being created is live until published or saved as a draft (Wagtail's model
        # default): it stays a draft. (`save` bumps the page cache, as any page write does.)
        page.live = False
        page.has_unpublished_changes = True
        page.save(update_fields=["live", "has_unpublished_changes"], clean=False)
    messages.error(
        request,
        f"“{page.title}” was saved as a draft but not published: “{parent.title}”, the page it "
        "belongs to, is not published. Publish that first, then this page.",
    )
    return redirect("wagtailadmin_pages:edit", page.pk)
