"""The person's own data: download it, erase it. Plain forms; no JavaScript needed."""

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from consultation.models import PersonalDataExport
from consultation.privacy.forms import EraseForm
from consultation.privacy.selectors import export_state
from consultation.privacy.services import (
    account_erase,
    export_link_token,
    export_link_user,
    export_request,
)

# Seconds between reloads of the page while the export is being prepared.
REFRESH_SECONDS = 5


@never_cache
@login_required
def my_data(request):
    """GET: what the download holds, and the export's state: a button, "being prepared"
    (reloading itself if the person asks: ?keep_checking=1), or a signed link valid
    for a few hours. POST: have it built."""
    if request.method == "POST":
        export_request(user=request.user)
        return redirect("consultation:my_data")
    state, export = export_state(user=request.user)
    context = {
        "hours": round(settings.PRIVACY_EXPORT_LINK_MAX_AGE / 3600),
        "state": state,
        "refresh_seconds": REFRESH_SECONDS,
        "keep_checking": request.GET.get("keep_checking") == "1",
    }
    if state == "ready":
        token = export_link_token(user=request.user)
        context["link"] = reverse("consultation:my_data_download", args=[token])
        context["built_at"] = export.built_at
    return render(request, "consultation/privacy/my_data.html", context)


@never_cache
@login_required
def my_data_download(request, token):
    """The stored zip, for the signed-in person its link names, until the link expires."""
    state, export = export_state(user=request.user)
    if not export_link_user(token=token, user=request.user) or state != "ready":
        context = {
            "hours": round(settings.PRIVACY_EXPORT_LINK_MAX_AGE / 3600),
            "expired": True,
            "state": "none",
        }
        return render(request, "consultation/privacy/my_data.html", context, status=404)
    archive = PersonalDataExport.objects.values_list("archive", flat=True).get(pk=export.pk)
    response = HttpResponse(bytes(archive), content_type="application/zip")
    name = f"my-data-{timezone.localdate(export.built_at).isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@login_required
def erase_me(request):
    """GET: what erasing does and the choices. POST with the password: erase, sign out, say so."""
    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account_erase(
            user=request.user,
            contributions=form.cleaned_data["contributions"],
            reactions=form.cleaned_data["reactions"],
        )
        logout(request)
        return redirect("consultation:erased")
    status = 400 if form.errors else 200
    return render(request, "consultation/privacy/erase.html", {"form": form}, status=status)


def erased(request):
    return render(request, "consultation/privacy/erased.html")
