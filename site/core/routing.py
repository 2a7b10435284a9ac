"""Wagtail's routing, one query fewer per level where a page type allows one type of child."""


class DirectChildRoute:
    """For page types with a single allowed child type: `route()` finds the child as that
    type in one query, where Wagtail's takes two (the child as a generic page, then its
    specific row) at every level of the path. A child of another type (made before the
    rule, or by code) is routed the usual way. Put it just before `Page` among the bases,
    after `RoutablePageMixin`, whose own routes come first."""

    def route(self, request, path_components):
        models = type(self).allowed_subpage_models()
        if path_components and len(models) == 1:
            child = models[0].objects.child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                if child.specific_class is not type(child):  # a subclass of the allowed type
                    child = child.specific
                return child.route(request, path_components[1:])
        return super().route(request, path_components)
