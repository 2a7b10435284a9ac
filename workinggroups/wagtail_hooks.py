"""Wagtail admin: groups, organisations and memberships (snippets), with the
invitations, requests to join and sign-offs to look at.

Memberships are history: the admin form never rewrites a spell. Changing the
role or organisation closes the spell and opens a new one, and ending a
membership sets its end date, all through the same services the public
management pages use. Invitations, requests and sign-offs are read-only here:
they are answered by the people they belong to.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, ObjectList
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, InspectView, SnippetViewSet, SnippetViewSetGroup

from .models import Invitation, JoinRequest, Membership, Organisation, SignOff, WorkingGroup
from .services.memberships import membership_add, membership_change, membership_leave


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Listing and inspecting only: these rows are written by their own journeys."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "site"
    menu_label = "Organisations"
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("kind"), FieldPanel("website")]


class WorkingGroupViewSet(SnippetViewSet):
    model = WorkingGroup
    icon = "group"
    menu_label = "Groups"
    list_display = ["name", "slug"]
    search_fields = ["name", "remit"]
    inspect_view_enabled = True
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("remit"),
        FieldPanel("topics"),
        HelpPanel(
            content="Members are added under Memberships, or by the group’s convenors on the group’s "
            "public page (Manage members and invitations)."
        ),
    ]


class MembershipAdminForm(WagtailAdminModelForm):
    """Creating adds a member; editing changes role or organisation (a new spell)
    or ends the membership. Either way the services keep the history."""

    end_membership = forms.BooleanField(
        required=False,
        label="End this membership now",
        help_text="The person stays listed as a past member; their past comments keep their organisation.",
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.actor = for_user
        editing = self.instance.pk is not None
        for name in ("group", "user"):
            if name in self.fields and editing:
                self.fields[name].disabled = True
        if "end_membership" in self.fields and not editing:
            self.fields["end_membership"].disabled = True
            self.fields["end_membership"].help_text = "Only for an existing membership."
        if editing and not self.instance.is_current:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and not self.instance.is_current:
            raise ValidationError("This membership has ended and is kept as history: it cannot be changed.")
        group, user = cleaned.get("group"), cleaned.get("user")
        # Checked here so the refusal shows on the form (the service checks again).
        if (
            self.instance.pk is None
            and group
            and user
            and Membership.objects.current().filter(group=group, user=user).exists()
        ):
            self.add_error("user", f"{user} is already a member of {group}.")
        return cleaned

    def save(self, commit=True):
        """Route the change through the services instead of writing the row."""
        data = self.cleaned_data
        if self.instance.pk is None:
            return membership_add(
                group=data["group"],
                user=data["user"],
                role=data["role"],
                organisation=data.get("organisation"),
                actor=self.actor,
            )
        original = Membership.objects.get(pk=self.instance.pk)
        if data.get("end_membership"):
            return membership_leave(membership=original, actor=self.actor)
        if data["role"] != original.role or data.get("organisation") != original.organisation:
            return membership_change(
                membership=original,
                role=data["role"],
                organisation=data.get("organisation"),
                actor=self.actor,
            )
        return original


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "user"
    menu_label = "Memberships"
    list_display = ["user", "group", "organisation", "role", "joined_at", "left_at"]
    list_filter = ["group", "role"]
    search_fields = []
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("group"), FieldPanel("user")]),
            FieldRowPanel([FieldPanel("role"), FieldPanel("organisation")]),
            FieldPanel("end_membership"),
        ],
        base_form_class=MembershipAdminForm,
    )


def manages_accounts(user):
    """Only people who manage accounts see email addresses in the admin; editors and moderators need none."""
    User = get_user_model()
    return user.has_perm(f"{User._meta.app_label}.change_user")


class InvitationIndexView(IndexView):
    @cached_property
    def columns(self):
        columns = super().columns
        if manages_accounts(self.request.user):
            return columns
        return [column for column in columns if getattr(column, "name", None) != "email"]


class InvitationInspectView(InspectView):
    def get_fields(self):
        fields = super().get_fields()
        return fields if manages_accounts(self.request.user) else [f for f in fields if f != "email"]


class InvitationViewSet(SnippetViewSet):
    model = Invitation
    icon = "mail"
    menu_label = "Invitations"
    index_view_class = InvitationIndexView
    inspect_view_class = InvitationInspectView
    list_display = ["group", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["group", "role"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "group", "email", "role", "organisation", "invited_by", "created_at",
        "expires_at", "accepted_at", "accepted_by", "revoked_at", "revoked_by",
    ]  # fmt: skip


class JoinRequestViewSet(SnippetViewSet):
    model = JoinRequest
    icon = "help"
    menu_label = "Requests to join"
    list_display = ["user", "group", "status", "created_at", "decided_at"]
    list_filter = ["group", "status"]
    inspect_view_enabled = True


class SignOffViewSet(SnippetViewSet):
    model = SignOff
    icon = "tick-inverse"
    menu_label = "Sign-offs"
    list_display = ["group", "paper", "version_label", "position", "recorded_at", "superseded_at"]
    list_filter = ["group", "position"]
    inspect_view_enabled = True


class WorkingGroupsAdmin(SnippetViewSetGroup):
    menu_label = "Working groups"
    menu_icon = "group"
    menu_order = 260
    items = (
        WorkingGroupViewSet,
        MembershipViewSet,
        OrganisationViewSet,
        InvitationViewSet,
        JoinRequestViewSet,
        SignOffViewSet,
    )


for model in (Invitation, JoinRequest, SignOff):
    register_permission_policy(model, ReadOnlyPermissionPolicy(model))

register_snippet(WorkingGroupsAdmin)
