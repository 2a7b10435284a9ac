"""The person's own data: download it, erase it. Plain forms; no JavaScript needed."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from consultation.privacy.services import export_link_token, export_link_user, personal_data_export


@never_cache
@login_required
def my_data(request):
    """GET: what the download holds. POST: a signed link to it, valid for a few hours."""
    context = {"hours": round(settings.PRIVACY_EXPORT_LINK_MAX_AGE / 3600)}
    if request.method == "POST":
        token = export_link_token(user=request.user)
        context["link"] = reverse("consultation:my_data_download", args=[token])
    return render(request, "consultation/privacy/my_data.html", context)


@never_cache
@login_required
def my_data_download(request, token):
    """The zip, for the signed-in person its link names, until the link expires."""
    if not export_link_user(token=token, user=request.user):
        context = {"hours": round(settings.PRIVACY_EXPORT_LINK_MAX_AGE / 3600), "expired": True}
        return render(request, "consultation/privacy/my_data.html", context, status=404)
    body = personal_data_export(user=request.user)
    response = HttpResponse(body, content_type="application/zip")
    name = f"my-data-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
