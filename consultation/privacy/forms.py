from django import forms

from consultation.privacy.services import KEEP, REMOVE


class EraseForm(forms.Form):
    """The person's choices and their password, which confirms it is them."""

    contributions = forms.ChoiceField(
        label="Your comments and proposed wordings",
        choices=[
            (KEEP, "Keep them, shown as by “a former participant” with the organisation you spoke for"),
            (REMOVE, "Remove them: each is replaced by the note “Removed at the author's request.”"),
        ],
        widget=forms.RadioSelect,
        initial=KEEP,
    )
    reactions = forms.ChoiceField(
        label="Your agree, disagree and neutral reactions",
        choices=[
            (KEEP, "Keep them in the counts, linked to no one"),
            (REMOVE, "Remove them: the counts go down by yours"),
        ],
        widget=forms.RadioSelect,
        initial=KEEP,
    )
    password = forms.CharField(
        label="Your password",
        help_text="To confirm that it is you.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
