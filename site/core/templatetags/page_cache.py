"""`{% shared_fragment key [prefetched] %}…{% endshared_fragment %}`: a part of a page
rendered once and shared by every viewer whose `key` is the same (the caller decides
who may share a key). With a key of None (or a missing variable) the part is rendered for
this viewer and not stored; a rendering holding a CSRF token (one visitor's) is never stored. `prefetched`
is the stored rendering if the caller already read it (`core.page_cache.fragments()`
reads many in one round trip).

A fragment is stored compressed (`core.page_cache.Piece`). While a page that gzips
around its pieces renders (`request.piece_marks`, see `CachedPageMixin`), a stored
fragment goes into the output as a mark for its piece; anywhere else, as its text."""

from django import template
from django.core.cache import cache

from core.page_cache import Piece, fragment_cache_key, seconds

register = template.Library()


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, key, prefetched):
        self.nodelist = nodelist
        self.key = key
        self.prefetched = prefetched

    def render(self, context):
        # None, or a missing variable (""): rendered for this viewer, never shared.
        key = self.key.resolve(context)
        if not key or seconds() <= 0:
            return self.nodelist.render(context)
        # A missing variable resolves to "": nothing prefetched.
        piece = (self.prefetched.resolve(context) or None) if self.prefetched is not None else None
        cache_key = fragment_cache_key(key)
        if piece is None and self.prefetched is None:
            piece = cache.get(cache_key)
        request = getattr(context, "request", None)
        marks = getattr(request, "piece_marks", None)
        if marks is not None and not marks.open:
            marks = None  # inside a fragment being rendered: stored with it, as text
        if piece is None:
            html = self._render_for_storing(context, request)
            if "csrfmiddlewaretoken" in html:
                return html
            piece = Piece.of(html)
            cache.set(cache_key, piece, seconds())
            return marks.mark(piece) if marks is not None else html
        return marks.mark(piece) if marks is not None else piece.text()

    def _render_for_storing(self, context, request):
        marks = getattr(request, "piece_marks", None)
        if marks is None or not marks.open:
            return self.nodelist.render(context)
        marks.open = False
        try:
            return self.nodelist.render(context)
        finally:
            marks.open = True


@register.tag
def shared_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError(
            "shared_fragment takes the fragment's key, and what was prefetched"
        )
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    prefetched = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    return SharedFragmentNode(nodelist, parser.compile_filter(bits[1]), prefetched)
