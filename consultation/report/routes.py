"""The report's addresses under a paper, mixed into PolicyPaperPage.

Wagtail routes sub-paths with a trailing slash, so `report.pdf` arrives here
as `report.pdf/`; config/urls.py lets paths ending in `report.<pdf|csv|json>`
reach Wagtail at all.
"""

from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path


class PaperReportRoutes(RoutablePageMixin):
    @path("report/", name="report")
    def report_route(self, request):
        from .views import report_page

        return report_page(request, self)

    @re_path(r"^report\.(?P<kind>pdf|csv|json)/$", name="report_file")
    def report_file_route(self, request, kind):
        from .views import report_file

        return report_file(request, self, kind)

    @path("report/frozen/<int:frozen_id>/", name="report_frozen")
    def report_frozen_route(self, request, frozen_id):
        from .views import frozen_page

        return frozen_page(request, self, frozen_id)

    @re_path(r"^report/frozen/(?P<frozen_id>\d+)/report\.(?P<kind>pdf|csv|json)/$", name="report_frozen_file")
    def report_frozen_file_route(self, request, frozen_id, kind):
        from .views import frozen_file

        return frozen_file(request, self, int(frozen_id), kind)
