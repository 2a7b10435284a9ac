from django import forms


class VoiceForm(forms.Form):
    """Which of their working groups a person speaks for in one consultation."""

    group = forms.TypedChoiceField(
        label="Speak for",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Your comments, reactions and proposals in this consultation count for this group. "
        "What you have already said keeps the group it was said for.",
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {m.group_id: m for m in memberships}
        self.fields["group"].choices = [
            (m.group_id, f"{m.group.name} (as {m.get_role_display().lower()}, for {m.organisation_name})")
            for m in memberships
        ]

    def chosen_group(self):
        return self.memberships[self.cleaned_data["group"]].group
