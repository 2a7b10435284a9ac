"""The form a convenor uses to record their group's position on a paper."""

from django import forms

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
