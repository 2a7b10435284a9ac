"""Sub-pages served under a paper (its versions) and a consultation (its record).

Mixed into the page classes, so the addresses hang off the pages' own URLs:
`<paper>/versions/…`, `<consultation>/record/…`, `<consultation>/restrictions/`.
The views live in views_versions.py and views_record.py.
"""

from wagtail.contrib.routable_page.models import RoutablePageMixin, path


class PaperVersionRoutes(RoutablePageMixin):
    @path("versions/", name="versions")
    def versions_route(self, request):
        from .views_versions import version_list

        return version_list(request, self)

    @path("versions/compare/", name="versions_compare")
    def versions_compare_route(self, request):
        from .views_versions import version_compare

        return version_compare(request, self)

    @path("versions/<int:number>/", name="version")
    def version_route(self, request, number):
        from .views_versions import version_detail

        return version_detail(request, self, number)

    @path("versions/<int:number>/changes/", name="versions_since")
    def versions_since_route(self, request, number):
        from .views_versions import version_since

        return version_since(request, self, number)

    @path("versions/<int:number>/sections/<int:section_id>/", name="version_section")
    def version_section_route(self, request, number, section_id):
        from .views_versions import version_section

        return version_section(request, self, number, section_id)

    @path("versions/sections/<int:section_id>/", name="section_history")
    def section_history_route(self, request, section_id):
        from .views_versions import section_history

        return section_history(request, self, section_id)

    def with_content_json(self, content):
        # The version label is set only by publishing a version: an editor
        # publishing a revision drafted under v1 must not turn v2 back into v1.
        # Read from the database: `self` may be an instance cached before the
        # latest version was published.
        obj = super().with_content_json(content)
        stored = type(self).objects.filter(pk=self.pk).values_list("version_label", flat=True).first()
        obj.version_label = stored or self.version_label
        return obj


class ConsultationRecordRoutes(RoutablePageMixin):
    @path("record/", name="record")
    def record_route(self, request):
        from .views_record import record_timeline

        return record_timeline(request, self)

    @path("record/<int:sequence>/", name="record_entry")
    def record_entry_route(self, request, sequence):
        from .views_record import record_entry

        return record_entry(request, self, sequence)

    @path("record/feed/", name="record_feed")
    def record_feed_route(self, request):
        from .feeds import RecordFeed

        return RecordFeed()(request, consultation=self)

    @path("record/json/", name="record_json")
    def record_json_route(self, request):
        from .views_record import record_json

        return record_json(request, self)

    @path("restrictions/", name="restrictions")
    def restrictions_route(self, request):
        from .views_record import restriction_register

        return restriction_register(request, self)
