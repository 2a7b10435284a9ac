"""The paper page for anonymous readers, rendered once per change and cached.

Only requests that carry nothing personal are served from the cache: GET, no query
string, not signed in, no session or messages cookie. What they get is the rendering
anonymous readers may see (restricted text is never in it), so nobody is served text
they may not read, nor someone else's forms or messages; signed-in people get the page
rendered for them. Wagtail's own view restrictions are checked before `serve()`.

Any write to consultation or working-group data (a page published, a comment posted
or hidden, a proposal, a response, a sign-off, a stage moved, a membership…) starts a
new generation and so a new rendering; reactions are the exception: there can be
hundreds a second at an event, and their tallies reach open pages over the websocket
(the page resyncs on connect), so they only age the cached copy, for at most
PAPER_PAGE_CACHE_SECONDS.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse

GENERATION_KEY = "paper-page:generation"
DEFAULT_SECONDS = 30
# Whose writes change what a paper page shows (reactions excepted, see above).
WATCHED_APPS = {"consultation", "workinggroups", "wagtailcore"}
UNWATCHED_MODELS = {"consultation.reaction", "wagtailcore.pagelogentry", "wagtailcore.modellogentry"}


def cacheable(request):
    return (
        request.method == "GET"
        and not request.GET
        and not getattr(request, "is_preview", False)
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _generation():
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None) or 0


def paper_page_response(*, request, page, render):
    """The paper page: from the cache for an anonymous reader, else `render()`ed."""
    if not cacheable(request):
        return render()
    seconds = getattr(settings, "PAPER_PAGE_CACHE_SECONDS", DEFAULT_SECONDS)
    key = f"paper-page:{page.pk}:{_generation()}"
    cached = cache.get(key)
    if cached is not None:
        content, content_type = cached
        return HttpResponse(content, content_type=content_type)
    response = render()
    if hasattr(response, "render"):
        response.render()
    # A form's CSRF token belongs to one visitor: a rendering with one is never shared.
    if response.status_code == 200 and seconds > 0 and b"csrfmiddlewaretoken" not in response.content:
        cache.set(key, (response.content, response["Content-Type"]), seconds)
    return response


def new_generation(sender, **kwargs):
    label = sender._meta.label_lower
    if sender._meta.app_label in WATCHED_APPS and label not in UNWATCHED_MODELS:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # not set yet (or evicted): any new value is a new generation
            cache.set(GENERATION_KEY, 2, timeout=None)


def connect():
    post_save.connect(new_generation, dispatch_uid="consultation.paper_page_cache.save")
    post_delete.connect(new_generation, dispatch_uid="consultation.paper_page_cache.delete")
