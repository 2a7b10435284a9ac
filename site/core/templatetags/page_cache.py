"""`{% shared_fragment key [prefetched] %}…{% endshared_fragment %}`: a part of a page
rendered once and shared by every viewer whose `key` is the same (the caller decides
who may share a key). With a key of None (or a missing variable) the part is rendered for
this viewer and not stored; a rendering holding a CSRF token (one visitor's) is never stored. `prefetched`
is the stored rendering if the caller already read it (`core.page_cache.fragments()`
reads many in one round trip)."""

from django import template
from django.core.cache import cache

from core.page_cache import fragment_cache_key, seconds

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
        html = (self.prefetched.resolve(context) or None) if self.prefetched is not None else None
        cache_key = fragment_cache_key(key)
        if html is None and self.prefetched is None:
            html = cache.get(cache_key)
        if html is None:
            html = self.nodelist.render(context)
            if "csrfmiddlewaretoken" not in html:
                cache.set(cache_key, html, seconds())
        return html


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
