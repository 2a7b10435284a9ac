"""Consultation models, re-exported so `consultation.models.X` works everywhere."""

from .pages import (
    ConsultationIndexPage,
    ConsultationPage,
    ConsultationStageDates,
    PolicyPaperPage,
    SectionPage,
)
from .record import RecordEntry, RecordHead
from .restriction import Restrictable, RestrictionCategory

__all__ = [
    "ConsultationIndexPage",
    "ConsultationPage",
    "ConsultationStageDates",
    "PolicyPaperPage",
    "RecordEntry",
    "RecordHead",
    "Restrictable",
    "RestrictionCategory",
    "SectionPage",
]
