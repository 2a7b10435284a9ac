from django import forms

from .models import Membership, Organisation


class OrganisationChoiceMixin(forms.Form):
    """Pick a listed organisation, or name one that is not listed yet."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="Independent (no organisation)",
        label="Organisation",
    )
    new_organisation = forms.CharField(
        max_length=200,
        required=False,
        label="Or an organisation that is not listed",
        help_text="Leave empty if the organisation is in the list above.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation") and cleaned.get("new_organisation", "").strip():
            self.add_error(
                "new_organisation",
                "Choose an organisation from the list or type a new one, not both.",
            )
        return cleaned


class InvitationForm(OrganisationChoiceMixin):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address to invite.",
            "invalid": "Enter an email address in the correct format, like name@example.org.",
        },
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        widget=forms.RadioSelect,
        label="Role",
    )

    field_order = ["email", "role", "organisation", "new_organisation"]


class JoinRequestForm(OrganisationChoiceMixin):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        label="Why do you want to join? (optional)",
        help_text="The convenors read this. It is not published.",
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["organisation_name"] = " ".join(cleaned.pop("new_organisation", "").split())
        return cleaned


class ApproveForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER, label="Role")


class DeclineForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        label="Reason (optional, sent to the person)",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices, label="New role")
