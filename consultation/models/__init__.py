"""Consultation models, re-exported so `consultation.models.X` works everywhere."""

from .comments import Comment, CommentReport, PaperFollow
from .pages import (
    ConsultationIndexPage,
    ConsultationPage,
    ConsultationStageDates,
    PolicyPaperPage,
    SectionPage,
)
from .proposals import Proposal, ProposalKind, ProposalState
from .reactions import Reaction, ReactionChoice, TargetKind
from .record import RecordEntry, RecordHead
from .reports import FrozenReport, FrozenReportError
from .responses import Response
from .restriction import Restrictable, RestrictionCategory
from .stages import StageChange
from .subscriptions import Subscription
from .versions import ImmutableSnapshotError, PaperVersion, SectionVersion

__all__ = [
    "Comment",
    "CommentReport",
    "ConsultationIndexPage",
    "ConsultationPage",
    "ConsultationStageDates",
    "FrozenReport",
    "FrozenReportError",
    "ImmutableSnapshotError",
    "PaperFollow",
    "PaperVersion",
    "PolicyPaperPage",
    "Proposal",
    "ProposalKind",
    "ProposalState",
    "Reaction",
    "ReactionChoice",
    "RecordEntry",
    "RecordHead",
    "Response",
    "Restrictable",
    "RestrictionCategory",
    "SectionPage",
    "SectionVersion",
    "StageChange",
    "Subscription",
    "TargetKind",
]
