"""Forms for the process around the paper: sign-off, moving stages, registering interest."""

from django import forms

from consultation.models.pages import Stage
from consultation.subscriptions.services import BAD_ADDRESS
from workinggroups.models import POSITIONS_NEEDING_STATEMENT, Position

STATEMENT_HELP = "Required if you endorse with reservations or do not endorse. Published with the position."


class SignOffForm(forms.Form):
    """A group's position on the paper, and optionally on each section.

    Section fields are added per section as `section_<id>_position` and
    `section_<id>_statement`; `section_rows()` gives them back in order."""

    group = forms.ModelChoiceField(queryset=None, empty_label=None, label="Working group")
    position = forms.ChoiceField(
        choices=Position.choices,
        widget=forms.RadioSelect,
        label="The group’s position on the paper",
        error_messages={"required": "Choose the group’s position on the paper."},
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=10_000,
        label="Statement",
        help_text=STATEMENT_HELP,
    )

    def __init__(self, *args, groups, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        if len(groups) == 1:
            self.fields["group"].widget = forms.HiddenInput()
            self.fields["group"].initial = groups[0].pk
        self.sections = list(sections)
        for section in self.sections:
            label = f"section {section.number}, {section.title}"
            self.fields[f"section_{section.pk}_position"] = forms.ChoiceField(
                choices=[("", "No separate position"), *Position.choices],
                required=False,
                label=f"Position on {label}",
            )
            self.fields[f"section_{section.pk}_statement"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=10_000,
                label=f"Statement on {label}",
                help_text=STATEMENT_HELP,
            )

    def section_rows(self):
        for section in self.sections:
            yield section, self[f"section_{section.pk}_position"], self[f"section_{section.pk}_statement"]

    @property
    def has_section_errors(self):
        return any(name.startswith("section_") for name in self.errors)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("position") in POSITIONS_NEEDING_STATEMENT
            and not cleaned.get("statement", "").strip()
        ):
            self.add_error(
                "statement",
                f"Give a statement: it is required when you {Position(cleaned['position']).label.lower()}.",
            )
        for section in self.sections:
            position = cleaned.get(f"section_{section.pk}_position")
            statement = cleaned.get(f"section_{section.pk}_statement", "").strip()
            if position in POSITIONS_NEEDING_STATEMENT and not statement:
                self.add_error(
                    f"section_{section.pk}_statement",
                    f"Give a statement for section {section.number}: it is required when you "
                    f"{Position(position).label.lower()}.",
                )
            elif statement and not position:
                self.add_error(
                    f"section_{section.pk}_position",
                    f"Choose a position on section {section.number}, or remove its statement.",
                )
        return cleaned


class StageMoveForm(forms.Form):
    to_stage = forms.ChoiceField(
        label="Move to",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the stage to move to."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="Reason",
        help_text="Published in the process record and sent to subscribers. Required to move back a stage "
        "or to open public scrutiny before every group has signed off.",
    )
    override = forms.BooleanField(
        required=False,
        label="Open public scrutiny even though some groups have not recorded a position",
    )

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(stage.value, Stage(stage).label) for stage in allowed]


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
