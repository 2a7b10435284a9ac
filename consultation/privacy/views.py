"""The person's own data: download it, erase it. Plain forms; no JavaScript needed."""

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from consultation.privacy.forms import EraseForm
from consultation.privacy.services import (
    account_erase,
    export_link_token,
    export_link_user,
    personal_data_export,
)


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
