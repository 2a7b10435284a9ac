"""Account forms. Whether an address already has an account is never said
here: the services answer that privately (accounts/services.py)."""

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.template.loader import render_to_string

from core.emails import email_key
from jobs.services import enqueue_email

from .names import reserved_name_reason, strip_invisible

User = get_user_model()


class NamesMixin:
    """Names and organisations without invisible characters; names not posing as staff."""

    def _clean_name(self, field, *, required=False, reserve=True):
        value = strip_invisible(self.cleaned_data.get(field, ""))
        if required and not value:
            raise forms.ValidationError("Enter your name.")
        reason = reserve and reserved_name_reason(value, user=self.instance if self.instance.pk else None)
        if reason:
            raise forms.ValidationError(reason)
        return value

    def clean_display_name(self):
        return self._clean_name("display_name", required=True)

    def clean_pseudonym(self):
        return self._clean_name("pseudonym")

    def clean_organisation(self):
        return self._clean_name("organisation", reserve=False)


class SignupForm(NamesMixin, UserCreationForm):
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
        return self.cleaned_data["email"].strip()


class ProfileForm(NamesMixin, forms.ModelForm):
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

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("use_pseudonym") and not (cleaned.get("pseudonym") or "").strip():
            self.add_error("pseudonym", "Enter a pseudonym, or untick the box to show your name.")
        return cleaned


class MailboxPasswordResetForm(PasswordResetForm):
    """Finds the account by mailbox, so `Alex+x@…` resets the account of `alex@…`.
    The link still goes to the address the account has."""

    def get_users(self, email):
        key = email_key(email)
        if not key:
            return []
        return (
            user for user in User.objects.filter(email_key=key, is_active=True) if user.has_usable_password()
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """In the background, like every email (jobs.services.enqueue_email)."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        enqueue_email(
            to=[to_email],
            subject=subject,
            body=body,
            html=html,
            from_email=from_email,
            # Each request is its own email (two in one second share a token).
            key=f"accounts:password-reset:{context['uid']}:{uuid.uuid4().hex}",
        )
