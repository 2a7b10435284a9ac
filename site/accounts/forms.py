from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

User = get_user_model()


def _email_taken(email, exclude_pk=None):
    users = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label="Email address",
        help_text="We send a link to confirm it. It is never shown to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your email address.", "invalid": "Enter a valid email address."},
    )
    display_name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="Shown beside your comments.",
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organisation = forms.CharField(
        label="Organisation (optional)",
        max_length=200,
        required=False,
        help_text="If you speak for an organisation, it is shown beside your name.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "display_name", "organisation")
        help_texts = {"username": "You sign in with this. Letters, digits and @ . + - _ only."}

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if _email_taken(email):
            raise forms.ValidationError(
                "An account already uses this email address. Sign in, or reset your password."
            )
        return email


class ProfileForm(forms.ModelForm):
    email = forms.EmailField(
        label="Email address",
        help_text="Never shown to anyone. If you change it, we send a link to confirm the new one.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta:
        model = User
        fields = ("display_name", "organisation", "pseudonym", "use_pseudonym", "email")
        labels = {
            "display_name": "Your name",
            "organisation": "Organisation (optional)",
            "pseudonym": "Pseudonym (optional)",
            "use_pseudonym": "Show my pseudonym instead of my name on public comments",
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "pseudonym": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "display_name": "Shown beside your comments.",
            "pseudonym": (
                "Members of the public may comment under a pseudonym. Comments you make for a "
                "working group always show your name."
            ),
        }

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Enter your name.")
        return name

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if _email_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError("Another account already uses this email address.")
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("use_pseudonym") and not (cleaned.get("pseudonym") or "").strip():
            self.add_error("pseudonym", "Enter a pseudonym, or untick the box to show your name.")
        return cleaned
