"""Consultation models, re-exported so `consultation.models.X` works everywhere."""

from consultation.models.comments import (
    Comment,
    CommentNotification,
    CommentReport,
    CommentRevision,
    NotificationDigest,
    PaperFollow,
    SectionFollow,
)
from consultation.models.pages import (
    ConsultationIndexPage,
    ConsultationPage,
    ConsultationStageDates,
    PolicyPaperPage,
    SectionPage,
)
from consultation.models.participation import Voice
from consultation.models.privacy import PersonalDataExport
from consultation.models.proposals import Proposal, ProposalKind, ProposalState
from consultation.models.reactions import (
    CommentAuthorSide,
    CommentsStamp,
    Reaction,
    ReactionChoice,
    ReactionCount,
    TargetKind,
)
from consultation.models.record import ConsultationRecordHead, RecordEntry, RecordHead
from consultation.models.reports import FrozenReport, FrozenReportError, ReportPdf
from consultation.models.responses import Response
from consultation.models.restriction import Restrictable, RestrictionCategory
from consultation.models.stages import StageChange
from consultation.models.subscriptions import Subscription
from consultation.models.versions import ImmutableSnapshotError, PaperVersion, SectionVersion

__all__ = [
    "Comment",
    "CommentAuthorSide",
    "CommentsStamp",
    "CommentNotification",
    "CommentReport",
    "CommentRevision",
    "NotificationDigest",
    "ConsultationIndexPage",
    "ConsultationPage",
    "ConsultationRecordHead",
    "ConsultationStageDates",
    "FrozenReport",
    "FrozenReportError",
    "ImmutableSnapshotError",
    "PaperFollow",
    "SectionFollow",
    "PaperVersion",
    "PersonalDataExport",
    "PolicyPaperPage",
    "Proposal",
    "ProposalKind",
    "ProposalState",
    "Reaction",
    "ReactionChoice",
    "ReactionCount",
    "RecordEntry",
    "ReportPdf",
    "RecordHead",
    "Response",
    "Restrictable",
    "RestrictionCategory",
    "SectionPage",
    "SectionVersion",
    "StageChange",
    "Subscription",
    "TargetKind",
    "Voice",
]
