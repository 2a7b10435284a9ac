"""The shapes of the API's responses, as published in its OpenAPI document."""

from datetime import date
from typing import Any, Literal

from ninja import Schema


class Withheld(Schema):
    """Why a text is not shown to this reader: the explainer's reason code and sentence."""

    code: str
    message: str


class Restriction(Schema):
    category: str
    category_label: str
    reason: str
    review_on: date | None = None


class GroupRef(Schema):
    id: int
    name: str
    slug: str


class StageDates(Schema):
    stage: str
    stage_label: str
    starts_on: date
    ends_on: date | None = None


class Consultation(Schema):
    id: int
    title: str
    slug: str
    url: str
    summary_html: str
    run_by: str
    stage: str
    stage_label: str
    stage_dates: list[StageDates]
    groups: list[GroupRef]
    last_published_at: str | None


class ConsultationPage(Schema):
    items: list[Consultation]
    next_cursor: str | None


class Section(Schema):
    id: int
    paper_id: int
    number: int | None
    heading: str
    url: str
    restricted: bool
    restriction: Restriction | None
    body_html: str | None
    withheld: Withheld | None
    last_published_at: str | None


class PaperSummary(Schema):
    id: int
    consultation_id: int
    title: str
    slug: str
    url: str
    version_label: str
    status: str
    restricted: bool
    restriction: Restriction | None
    summary_html: str | None
    withheld: Withheld | None
    last_published_at: str | None


class Paper(PaperSummary):
    sections: list[Section]


class PaperPage(Schema):
    items: list[PaperSummary]
    next_cursor: str | None


class VersionSummary(Schema):
    number: int
    label: str
    title: str
    change_note: str
    published_at: str
    published_by: str
    restricted: bool


class VersionListItem(VersionSummary):
    section_count: int


class VersionList(Schema):
    items: list[VersionListItem]


class VersionSection(Schema):
    section_id: int | None
    position: int
    heading: str
    restricted: bool
    body_html: str | None
    withheld: Withheld | None


class Version(VersionSummary):
    summary_html: str | None
    sections: list[VersionSection]


class CommentTarget(Schema):
    kind: Literal["section", "paper", "proposal"]
    id: int


class Tombstone(Schema):
    at: str
    reason: str
    # "author" when its author withdrew it, "moderator" otherwise.
    by: Literal["moderator", "author"]


class WorkingGroupSnapshot(Schema):
    id: int
    name: str


class Comment(Schema):
    id: int
    parent_id: int | None
    level: int
    on: CommentTarget
    url: str
    submitted_at: str
    version_label: str
    stage: str
    # When its author last edited it (within the edit window), or null.
    edited_at: str | None
    hidden: Tombstone | None
    text: str | None
    author_name: str | None
    organisation: str | None
    working_group: WorkingGroupSnapshot | None
    replies: list["Comment"]


Comment.model_rebuild()


class CommentPage(Schema):
    items: list[Comment]
    next_cursor: str | None


class Counts(Schema):
    agree: int = 0
    disagree: int = 0
    neutral: int = 0


class SectionTally(Schema):
    section_id: int
    number: int
    heading: str
    comments: int
    target: str
    counts: dict[str, int]
    total: int
    members: dict[str, int]
    public: dict[str, int]
    by_group: dict[str, dict[str, int]]


class Tallies(Schema):
    paper_id: int
    version_label: str
    items: list[SectionTally]


class GroupSupport(Schema):
    key: str | None
    name: str | None
    kind: str | None
    agree: int | None
    disagree: int | None
    neutral: int | None
    agree_percent: int | float | None


class Support(Schema):
    score: int | float | None
    classification: str | None
    groups_in_verdict: int | None
    groups_heard: int | None
    groups: list[GroupSupport]


class Proposal(Schema):
    id: int
    section_id: int
    url: str
    kind: str
    state: str
    text: str
    rationale: str
    author_name: str
    organisation: str | None
    working_group: WorkingGroupSnapshot | None
    version_label: str
    stage: str
    created_at: str
    decided_at: str | None
    decision_reason: str | None
    incorporated_in: str | None
    tally: dict[str, Any]
    support: Support


class ProposalList(Schema):
    items: list[Proposal]


class ResponseItem(Schema):
    id: int
    section_id: int | None
    comment_id: int | None
    outcome: str
    outcome_label: str
    reason: str
    changed_in: str | None
    by: str
    created_at: str


class ResponseList(Schema):
    items: list[ResponseItem]


class SignOffPosition(Schema):
    group: GroupRef
    version_label: str
    position: str
    position_label: str
    statement: str
    recorded_at: str


class GroupSignOff(Schema):
    group: GroupRef
    signoff: SignOffPosition | None


class SignOffs(Schema):
    version_label: str
    invited: int
    recorded: int
    current: list[GroupSignOff]
    earlier: list[SignOffPosition]


class RecordEntry(Schema):
    sequence: int
    consultation: int | None
    kind: str
    created_at: str
    actor_name: str
    summary: str
    data: dict[str, Any]
    previous_hash: str
    entry_hash: str
    consultation_sequence: int | None
    consultation_previous_hash: str
    consultation_hash: str


class RecordPage(Schema):
    items: list[RecordEntry]
    next_cursor: str | None


class Error(Schema):
    code: str
    detail: str
