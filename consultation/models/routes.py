"""Sub-pages served under a paper and a consultation, and what each page shows.

Page models are the bottom of the feature order (docs/architecture.md), yet
their sub-pages (versions, record, report) and their context are served by
features above them. As Django's settings name URLconfs and middleware, the
models name those views and selectors by dotted path and load them when a
request arrives; no model module imports a feature, and the import contracts
(`make lint`) hold without function-level imports.

Wagtail routes sub-paths with a trailing slash, so `report.pdf` arrives as
`report.pdf/`; config/urls.py lets paths ending in `report.<pdf|csv|json>`
reach Wagtail at all.
"""

from functools import cache

from django.utils.module_loading import import_string
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path

from core.converters import ID_PATTERN  # importing it also registers <id:...>


@cache
def feature(dotted_path):
    """The view or selector at `dotted_path`, imported once."""
    return import_string(dotted_path)


class PageContext:
    """Adds the page's reads to its template context: `context_selector` names a
    function taking `page`, `user` and `query` (the request's GET parameters, e.g. a
    thread page number; keyword-only) and returning a dict."""

    context_selector = ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(feature(self.context_selector)(page=self, user=request.user, query=request.GET))
        return context


VERSIONS = "consultation.versions.views."
RECORD = "consultation.record.views."
REPORT = "consultation.report.views."


class PaperVersionRoutes(RoutablePageMixin):
    @path("versions/", name="versions")
    def versions_route(self, request):
        return feature(VERSIONS + "version_list")(request, self)

    @path("versions/compare/", name="versions_compare")
    def versions_compare_route(self, request):
        return feature(VERSIONS + "version_compare")(request, self)

    @path("versions/<id:number>/", name="version")
    def version_route(self, request, number):
        return feature(VERSIONS + "version_detail")(request, self, number)

    @path("versions/<id:number>/changes/", name="versions_since")
    def versions_since_route(self, request, number):
        return feature(VERSIONS + "version_since")(request, self, number)

    @path("versions/<id:number>/sections/<id:section_id>/", name="version_section")
    def version_section_route(self, request, number, section_id):
        return feature(VERSIONS + "version_section")(request, self, number, section_id)

    @path("versions/sections/<id:section_id>/", name="section_history")
    def section_history_route(self, request, section_id):
        return feature(VERSIONS + "section_history")(request, self, section_id)

    def with_content_json(self, content):
        # The version label is set only by publishing a version: an editor
        # publishing a revision drafted under v1 must not turn v2 back into v1.
        # Read from the database: `self` may be an instance cached before the
        # latest version was published.
        obj = super().with_content_json(content)
        stored = type(self).objects.filter(pk=self.pk).values_list("version_label", flat=True).first()
        obj.version_label = stored or self.version_label
        return obj


class PaperReportRoutes(RoutablePageMixin):
    @path("report/", name="report")
    def report_route(self, request):
        return feature(REPORT + "report_page")(request, self)

    @re_path(r"^report\.(?P<kind>pdf|csv|json)/$", name="report_file")
    def report_file_route(self, request, kind):
        return feature(REPORT + "report_file")(request, self, kind)

    @path("report/frozen/<id:frozen_id>/", name="report_frozen")
    def report_frozen_route(self, request, frozen_id):
        return feature(REPORT + "frozen_page")(request, self, frozen_id)

    @re_path(
        rf"^report/frozen/(?P<frozen_id>{ID_PATTERN})/report\.(?P<kind>pdf|csv|json)/$",
        name="report_frozen_file",
    )
    def report_frozen_file_route(self, request, frozen_id, kind):
        return feature(REPORT + "frozen_file")(request, self, int(frozen_id), kind)


class PaperCommentRoutes(RoutablePageMixin):
    @path("comments/", name="comments")
    def comments_route(self, request):
        return feature("consultation.comments.views.paper_comments_page")(request, self)


class ConsultationRecordRoutes(RoutablePageMixin):
    @path("record/", name="record")
    def record_route(self, request):
        return feature(RECORD + "record_timeline")(request, self)

    @path("record/<id:sequence>/", name="record_entry")
    def record_entry_route(self, request, sequence):
        return feature(RECORD + "record_entry")(request, self, sequence)

    @path("record/feed/", name="record_feed")
    def record_feed_route(self, request):
        return feature(RECORD + "record_feed")(request, self)

    @path("record/json/", name="record_json")
    def record_json_route(self, request):
        return feature(RECORD + "record_json")(request, self)

    @path("restrictions/", name="restrictions")
    def restrictions_route(self, request):
        return feature(RECORD + "restriction_register")(request, self)
