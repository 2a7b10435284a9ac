from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from consultation.models import ConsultationPage
from consultation.participation.forms import VoiceForm
from consultation.participation.services import voice_choose, voice_of


@login_required
def speaking_for(request, consultation_id):
    """Choose which of one's working groups one speaks for in a consultation."""
    consultation = get_object_or_404(ConsultationPage.objects.live(), pk=consultation_id)
    back = request.POST.get("next") or request.GET.get("next") or consultation.url
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = consultation.url
    state = voice_of(user=request.user, consultation=consultation)
    form = None
    if state["memberships"]:
        form = VoiceForm(
            request.POST if request.method == "POST" else None,
            memberships=state["memberships"],
            initial={"group": state["group"].pk},
        )
        if request.method == "POST" and form.is_valid():
            group = form.chosen_group()
            voice_choose(user=request.user, consultation=consultation, group=group)
            messages.success(request, f"You now speak for {group.name} in this consultation.")
            return redirect(back)
    status = 400 if form is not None and form.is_bound and not form.is_valid() else 200
    return TemplateResponse(
        request,
        "consultation/participation/speaking_for.html",
        {"consultation": consultation, "voice": state, "form": form, "next": back},
        status=status,
    )
