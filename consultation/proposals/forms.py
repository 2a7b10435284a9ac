"""Forms for competing proposals: proposing, and the editors' decisions.

The services validate again (they are the only write path); these forms give
a person their errors beside the fields, with their text kept."""

from django import forms

from consultation.models import ProposalKind
from consultation.proposals.services import DECISION_REASON_MAX_LENGTH, RATIONALE_MAX_LENGTH, text_max_length


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(
        label="What do you propose?",
        choices=[
            (ProposalKind.REPLACEMENT.value, "A replacement for the whole wording of this section"),
            (ProposalKind.ADDITION.value, "A paragraph added at the end of this section"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you propose a replacement wording or an added paragraph.",
            "invalid_choice": "Choose whether you propose a replacement wording or an added paragraph.",
        },
    )
    text = forms.CharField(
        label="Your wording",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            "Plain text. Leave a blank line between paragraphs. For a replacement, edit the current wording "
            "(it is filled in for you); for an added paragraph, write only the new paragraph."
        ),
        error_messages={"required": "Write the wording you propose."},
        strip=False,
    )
    rationale = forms.CharField(
        label="Why do you propose this?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Plain text. Readers and the editors weigh your reasons.",
        error_messages={"required": "Say why you propose this: readers and the editors weigh your reasons."},
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError("Write the wording you propose.", code="required")
        limit = text_max_length()
        if len(text.strip()) > limit:
            raise forms.ValidationError(
                f"Your wording is {len(text.strip()):,} characters long. The limit is {limit:,}: "
                f"shorten it by {len(text.strip()) - limit:,} characters.",
                code="max_length",
            )
        return text

    def clean_rationale(self):
        rationale = self.cleaned_data["rationale"]
        if len(rationale) > RATIONALE_MAX_LENGTH:
            raise forms.ValidationError(
                f"Your reasons are {len(rationale):,} characters long. "
                f"The limit is {RATIONALE_MAX_LENGTH:,}.",
                code="max_length",
            )
        return rationale


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why is it not taken forward? (published)",
        max_length=DECISION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Shown on the proposal and in the public process record. Do not quote restricted text "
            "or anyone's personal details."
        ),
        error_messages={"required": "Give a reason: it is published with the decision."},
    )


class IncorporateForm(forms.Form):
    note = forms.CharField(
        label="Note for the record (optional, published)",
        required=False,
        max_length=DECISION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, what you will check or adjust when reviewing the draft.",
    )
