"""The form for registering interest in a consultation's email updates."""

from django import forms

from consultation.subscriptions.services import BAD_ADDRESS


class SubscriptionForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We use it only to send updates about this consultation. It is never shown or shared.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": BAD_ADDRESS,
            "max_length": "Enter an email address in the correct format, of at most 254 characters.",
        },
    )
