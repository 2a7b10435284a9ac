from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from consultation.api.views import api
from consultation.comments.views import comment_mute
from consultation.search.views import search_page
from core.views import csp_report, favicon

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    path("consultation/", include("consultation.urls")),
    path("groups/", include("workinggroups.urls")),
    # The read-only open-data API (docs/api.md) and its OpenAPI document and docs.
    path("api/v1/", api.urls),
    path("search/", search_page, name="search"),
    # Of comments-xtd's views only the follow-up mute link is mounted (behind a
    # confirmation step); posting goes through consultation's own view, which
    # checks the stage rules first.
    path("comments/mute/<str:key>/", comment_mute, name="comments-xtd-mute"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", favicon, name="favicon"),
    path("security/csp-report/", csp_report, name="csp-report"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving last: it catches every remaining path. Wagtail serves
# only paths ending in "/"; a paper's report files (…/report.pdf, .csv, .json)
# are passed to it too, and reach the paper's routes (consultation/report/routes.py).
urlpatterns += [
    re_path(r"^((?:[\w\-]+/)+report\.(?:pdf|csv|json))$", wagtail_views.serve),
    path("", include(wagtail_urls)),
]
