"""The site's URLs plus two bare Django views: the floors a page and a POST served by Django pay here."""

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

# bench/pages.py's raw upsert, on its scratch table (it creates the table before the load).
UPSERT = (
    "INSERT INTO bench_upsert (user_id, target_id, choice) VALUES (%s, %s, %s) "
    "ON CONFLICT (user_id, target_id) DO UPDATE SET choice = excluded.choice"
)


def bare(request):
    return HttpResponse(b"<!DOCTYPE html><title>bare</title><p>Bare Django view.</p>")


@require_POST
def bare_upsert(request, writer, target_id):
    """The raw upsert of the writes' floor, one transaction, behind the site's middleware (sessions,
    CSRF, security headers, rate-limit and lockout middleware): what any Django POST costs here
    before the reaction endpoint's own work (the user, the rule, the voice, the tally)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(UPSERT, [writer, target_id, request.POST["choice"]])
    return JsonResponse({"choice": request.POST["choice"]})


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/upsert/<int:writer>/<int:target_id>/", bare_upsert),
    path("", include("config.urls")),
]
