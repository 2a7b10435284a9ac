"""The form for moving a consultation between stages."""

from django import forms

from consultation.models.pages import Stage


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
