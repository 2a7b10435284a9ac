"""Public pages of working groups, and the forms convenors and members use.

Every form works without JavaScript. Each view asks a named rule first and
refuses with 403 (or sends an anonymous visitor to sign in).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from . import selectors
from .forms import ApproveForm, DeclineForm, InvitationForm, JoinRequestForm, RoleForm
from .models import Invitation, JoinRequest, Membership, WorkingGroup
from .rules import current_membership
from .services.memberships import (
    invitation_accept,
    invitation_create,
    invitation_problem,
    invitation_revoke,
    join_request_approve,
    join_request_create,
    join_request_decline,
    join_request_withdraw,
    membership_change_role,
    membership_leave,
    organisation_resolve,
)


class _LoginRequired(Exception):
    """A rule refused an anonymous visitor: send them to sign in (see `_guarded`)."""


def _require(request, perm, obj):
    if request.user.has_perm(perm, obj):
        return
    if not request.user.is_authenticated:
        raise _LoginRequired
    raise PermissionDenied


def _guarded(view):
    """Anonymous visitors refused by a rule are sent to sign in and brought back."""

    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _LoginRequired:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _errors(error):
    return error.messages if isinstance(error, ValidationError) else [str(error)]


def group_list(request):
    return render(request, "workinggroups/group_list.html", {"groups": selectors.group_list()})


def group_detail(request, slug):
    group = get_object_or_404(WorkingGroup, slug=slug)
    context = selectors.group_detail(group=group)
    context.update(
        {
            "can_manage": request.user.has_perm("workinggroups.manage_group", group),
            "can_request": request.user.has_perm("workinggroups.request_to_join", group),
            "can_leave": request.user.has_perm("workinggroups.leave_group", group),
            "my_membership": current_membership(request.user, group),
            "pending_request": selectors.join_request_pending(group=group, user=request.user),
        }
    )
    return render(request, "workinggroups/group_detail.html", context)


# ---------------------------------------------------------------- convenors


@_guarded
def group_manage(request, slug):
    """Invite people, answer requests to join, change roles."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    _require(request, "workinggroups.manage_group", group)
    form = InvitationForm(request.POST or None, prefix="invite")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = organisation_resolve(
                organisation=data["organisation"], name=data["new_organisation"]
            )
            invitation = invitation_create(
                group=group,
                email=data["email"],
                role=data["role"],
                organisation=organisation,
                actor=request.user,
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works for 14 days.",
            )
            return redirect("workinggroups:manage", slug=group.slug)
    context = selectors.group_management(group=group)
    context.update({"group": group, "form": form, "role_choices": Membership.Role.choices})
    status = 400 if request.method == "POST" else 200
    return render(request, "workinggroups/group_manage.html", context, status=status)


@_guarded
@require_POST
def invitation_withdraw(request, slug, pk):
    group = get_object_or_404(WorkingGroup, slug=slug)
    _require(request, "workinggroups.manage_group", group)
    invitation = get_object_or_404(Invitation, pk=pk, group=group)
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(request, f"The invitation to {invitation.email} has been withdrawn.")
    return redirect("workinggroups:manage", slug=group.slug)


@_guarded
@require_POST
def join_request_decide(request, slug, pk):
    group = get_object_or_404(WorkingGroup, slug=slug)
    _require(request, "workinggroups.manage_group", group)
    join_request = get_object_or_404(JoinRequest.objects.select_related("user"), pk=pk, group=group)
    name = join_request.user.public_name
    try:
        if request.POST.get("decision") == "approve":
            form = ApproveForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Choose a role.")
            join_request_approve(
                join_request=join_request, role=form.cleaned_data["role"], actor=request.user
            )
            role = form.cleaned_data["role"]
            joined = "an observer in" if role == "observer" else "now a member of"
            messages.success(request, f"{name} is {joined} {group.name}.")
        elif request.POST.get("decision") == "decline":
            form = DeclineForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            join_request_decline(join_request=join_request, note=note, actor=request.user)
            messages.success(request, f"You declined the request from {name} to join.")
        else:
            raise ValidationError("Choose to approve or decline the request.")
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return redirect("workinggroups:manage", slug=group.slug)


@_guarded
@require_POST
def membership_role(request, slug, pk):
    group = get_object_or_404(WorkingGroup, slug=slug)
    _require(request, "workinggroups.manage_group", group)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, group=group)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose a role.")
        new = membership_change_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(request, f"{new.user.public_name} is now a {new.get_role_display().lower()}.")
    return redirect("workinggroups:manage", slug=group.slug)


@_guarded
def membership_remove(request, slug, pk):
    """A convenor ends someone's membership (confirmation page, then POST)."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    _require(request, "workinggroups.manage_group", group)
    membership = get_object_or_404(Membership.objects.current().select_related("user"), pk=pk, group=group)
    if request.method == "POST":
        try:
            membership_leave(membership=membership, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            messages.success(request, f"{membership.user.public_name} is no longer a member of {group.name}.")
        return redirect("workinggroups:manage", slug=group.slug)
    return render(
        request,
        "workinggroups/membership_end_confirm.html",
        {"group": group, "membership": membership, "is_self": membership.user_id == request.user.pk},
    )


# ---------------------------------------------------------------- members and visitors


@_guarded
def group_leave(request, slug):
    group = get_object_or_404(WorkingGroup, slug=slug)
    _require(request, "workinggroups.leave_group", group)
    membership = current_membership(request.user, group)
    if membership is None:
        # Only a superuser gets here without a membership (has_perm is always yes for them).
        messages.error(request, f"You are not a member of {group.name}.")
        return redirect(group.get_absolute_url())
    if request.method == "POST":
        try:
            membership_leave(membership=membership, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            messages.success(request, f"You have left {group.name}.")
        return redirect(group.get_absolute_url())
    return render(
        request,
        "workinggroups/membership_end_confirm.html",
        {"group": group, "membership": membership, "is_self": True},
    )


@_guarded
def group_join(request, slug):
    """Ask to join: a convenor approves or declines."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    _require(request, "workinggroups.request_to_join", group)
    pending = selectors.join_request_pending(group=group, user=request.user)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        data = form.cleaned_data
        try:
            join_request_create(
                group=group,
                user=request.user,
                organisation=data["organisation"],
                organisation_name=data["organisation_name"],
                message=data["message"],
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, f"Your request to join {group.name} has been sent to its convenors.")
            return redirect(group.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "workinggroups/group_join.html",
        {"group": group, "form": form, "pending": pending},
        status=status,
    )


@_guarded
@require_POST
def join_request_cancel(request, slug, pk):
    group = get_object_or_404(WorkingGroup, slug=slug)
    join_request = get_object_or_404(JoinRequest, pk=pk, group=group, user=request.user.pk or 0)
    try:
        join_request_withdraw(join_request=join_request, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(request, "Your request to join has been withdrawn.")
    return redirect(group.get_absolute_url())


def invitation_detail(request, token):
    """The page an invitation link opens. Accepting needs an account with the
    invited address; anyone else is shown how to get one."""
    invitation = Invitation.from_token(token)
    if invitation is None:
        return render(request, "workinggroups/invitation_invalid.html", status=404)
    problem = (
        invitation_problem(invitation=invitation, user=request.user)
        if request.user.is_authenticated
        else None
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        try:
            membership = invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            problem = " ".join(_errors(error))
        else:
            messages.success(
                request,
                f"Welcome to {membership.group.name}. You are a {membership.get_role_display().lower()}"
                f" speaking for {membership.organisation_name}.",
            )
            return redirect(membership.group.get_absolute_url())
    return render(
        request,
        "workinggroups/invitation.html",
        {
            "invitation": invitation,
            "group": invitation.group,
            "problem": problem,
            "login_url": f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path})}",
            "next": request.path,
        },
        status=400 if problem and request.method == "POST" else 200,
    )
