"""A convenor records their group's position on a paper (sign-off stage)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from consultation.models import PolicyPaperPage
from consultation.models.pages import paper_sections
from consultation.signoffs.forms import SignOffForm
from core.converters import parse_id
from workinggroups.models import SignOff, WorkingGroup
from workinggroups.selectors import memberships_convened
from workinggroups.services.signoffs import SectionPositionInput, signoff_record


def _initial(signoff):
    if signoff is None:
        return {}
    initial = {"group": signoff.group_id, "position": signoff.position, "statement": signoff.statement}
    for item in signoff.section_positions.all():
        initial[f"section_{item.section_id}_position"] = item.position
        initial[f"section_{item.section_id}_statement"] = item.statement
    return initial


def paper_signoff(request, paper_id):
    """Record (or revise) the group's position on the current version of a paper."""
    paper = get_object_or_404(PolicyPaperPage.objects.live(), pk=paper_id)
    consultation = paper.consultation
    if not request.user.has_perm("consultation.sign_off_paper", paper):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return render(
            request,
            "consultation/signoffs/signoff_refused.html",
            {"paper": paper, "consultation": consultation},
            status=403,
        )

    convened = memberships_convened(user=request.user, groups=consultation.invited_groups.all())
    groups = WorkingGroup.objects.filter(pk__in=[m.group_id for m in convened]).order_by("name")
    sections = paper_sections(paper=paper)
    chosen = (
        request.POST.get("group") or request.GET.get("group") or (convened[0].group_id if convened else None)
    )
    existing = (
        SignOff.objects.current()
        .filter(paper=paper, version_label=paper.version_label, group_id__in=[m.group_id for m in convened])
        .prefetch_related("section_positions")
    )
    existing = {signoff.group_id: signoff for signoff in existing}
    current = existing.get(parse_id(chosen))

    form = SignOffForm(
        request.POST or None, groups=groups, sections=sections, initial=_initial(current) or {"group": chosen}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        section_positions = [
            SectionPositionInput(
                section=section,
                position=data[f"section_{section.pk}_position"],
                statement=data[f"section_{section.pk}_statement"],
            )
            for section in sections
            if data[f"section_{section.pk}_position"]
        ]
        try:
            signoff = signoff_record(
                group=data["group"],
                paper=paper,
                version_label=paper.version_label,
                position=data["position"],
                statement=data["statement"],
                section_positions=section_positions,
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"The position of {signoff.group.name} on version {signoff.version_label} is recorded "
                f"and published: {signoff.get_position_display()}.",
            )
            return redirect(f"{paper.url}#signoffs")
    return render(
        request,
        "consultation/signoffs/paper_signoff.html",
        {
            "paper": paper,
            "consultation": consultation,
            "form": form,
            "groups": groups,
            "existing": current,
        },
        status=400 if request.method == "POST" else 200,
    )
