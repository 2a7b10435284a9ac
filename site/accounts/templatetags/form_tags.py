"""Rendering form controls tied to their hint and error for screen readers."""

from django import template

register = template.Library()


@register.simple_tag
def field_control(field):
    """The field's widget with aria-describedby naming its hint and its error
    (Django links only the hint), and aria-invalid when it has an error."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)} if ids else None)
