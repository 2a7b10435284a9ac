"""Forms editors use to publish a version and to respond to feedback."""

from django import forms

from consultation.models import Response
from consultation.versions.responses import REASON_MAX_LENGTH
from consultation.versions.services import CHANGE_NOTE_MAX_LENGTH, VERSION_NAME_MAX_LENGTH


class VersionPublishForm(forms.Form):
    name = forms.CharField(
        label="Name (optional)",
        help_text="Words shown beside the number, such as “after working-group review”.",
        max_length=VERSION_NAME_MAX_LENGTH,
        required=False,
    )
    change_note = forms.CharField(
        label="Change note",
        help_text="What changed in this version, and why. Shown publicly with the version and in the record.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=CHANGE_NOTE_MAX_LENGTH,
        error_messages={"required": "Say what changed in this version: the note is shown publicly."},
    )


class ResponseForm(forms.Form):
    """Respond to one comment, or to a section's feedback as a whole.

    `target` values are "comment:<id>" or "section:<id>", offered from the
    paper's own sections and comments only."""

    target = forms.ChoiceField(
        label="Responding to", error_messages={"required": "Choose what you respond to."}
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Response.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the point was accepted, partly accepted or not accepted."
        },
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Why: shown publicly under the comment and in the section’s history.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": "Give the reason: it is shown publicly with the outcome."},
    )
    changed_in = forms.ChoiceField(
        label="Version where the text changed",
        required=False,
        help_text="If the text changed because of this feedback, the version that carries the change.",
    )

    def __init__(self, *args, sections, comments, versions, **kwargs):
        super().__init__(*args, **kwargs)
        section_choices = [
            (f"section:{s.pk}", f"Section {s.number}: {s.title} (its feedback as a whole)") for s in sections
        ]
        numbers = {s.pk: s.number for s in sections}
        comment_choices = []
        for comment in comments:
            where = f"section {numbers[comment.section_id]}" if comment.section_id in numbers else "the paper"
            excerpt = " ".join(comment.comment.split())[:80]
            comment_choices.append(
                (
                    f"comment:{comment.pk}",
                    f"Comment {comment.pk} by {comment.author_name} on {where}: {excerpt}",
                )
            )
        self.fields["target"].choices = [
            ("", "Choose…"),
            ("Sections", section_choices),
            ("Comments", comment_choices),
        ]
        self.fields["changed_in"].choices = [("", "The text did not change")] + [
            (str(v.pk), v.label) for v in versions
        ]
