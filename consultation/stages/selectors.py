"""Reads of a consultation's stages."""

from consultation.models.pages import Stage


def stage_timeline(*, consultation):
    """Every stage in order, with its published dates and where the process is now."""
    dates = {row.stage: row for row in consultation.stage_dates.all()}
    stages = list(Stage)
    current_index = stages.index(consultation.stage)
    return [
        {
            "key": stage.value,
            "label": stage.label,
            "starts_on": getattr(dates.get(stage.value), "starts_on", None),
            "ends_on": getattr(dates.get(stage.value), "ends_on", None),
            "is_current": index == current_index,
            "is_past": index < current_index,
        }
        for index, stage in enumerate(stages)
    ]
