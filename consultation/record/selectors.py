"""Reads for the public process record and the restriction register.

Each returns what one page needs in a fixed number of queries, however many
entries, pages or comments the consultation has.
"""

from django.core.paginator import Paginator

from consultation.models import (
    Comment,
    ConsultationRecordHead,
    PolicyPaperPage,
    Proposal,
    RecordEntry,
    RecordHead,
    SectionPage,
    SectionVersion,
)
from consultation.models.record import GENESIS_HASH

RECORD_PAGE_SIZE = 50

KIND_LABELS = {
    "stage_changed": "Stage changed",
    "version_published": "Version published",
    "sign_off": "Sign-off",
    "moderation": "Moderation",
    "restriction": "Restriction",
    "response": "Response to feedback",
    "membership": "Working-group membership",
    "proposal_made": "Proposal made",
    "proposal_accepted": "Proposal accepted for the next version",
    "proposal_incorporated": "Proposal incorporated",
    "proposal_not_taken_forward": "Proposal not taken forward",
    "proposal_withdrawn": "Proposal withdrawn",
    "report_frozen": "Report frozen",
    "report_pdf": "Frozen report PDF fingerprinted",
}


def kind_label(kind):
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def record_entries(*, consultation):
    return RecordEntry.objects.filter(consultation=consultation).order_by("sequence")


def record_timeline(*, consultation, page_number=1, kind=None):
    """One page of the consultation's record, oldest first, optionally of one kind."""
    entries = record_entries(consultation=consultation)
    if kind:
        entries = entries.filter(kind=kind)
    page = Paginator(entries, RECORD_PAGE_SIZE).get_page(page_number)
    for entry in page.object_list:
        entry.kind_label = kind_label(entry.kind)
    kinds = (
        RecordEntry.objects.filter(consultation=consultation)
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )
    return {
        "entries_page": page,
        "kinds": [(k, kind_label(k)) for k in kinds],
        "kind": kind,
    }


def record_entry(*, consultation, sequence):
    entry = record_entries(consultation=consultation).filter(sequence=sequence).first()
    if entry is not None:
        entry.kind_label = kind_label(entry.kind)
    return entry


def record_head(*, consultation):
    """The end of the consultation's own chain, as stored: what third parties keep a copy of."""
    head = ConsultationRecordHead.objects.filter(consultation=consultation).first()
    if head is None:
        return {"consultation_sequence": 0, "consultation_hash": GENESIS_HASH}
    return {"consultation_sequence": head.last_sequence, "consultation_hash": head.last_hash}


def record_whole_head():
    """The end of the whole record's chain (all consultations), as stored."""
    head = RecordHead.objects.filter(pk=1).first()
    if head is None:
        return {"sequence": 0, "entry_hash": GENESIS_HASH}
    return {"sequence": head.last_sequence, "entry_hash": head.last_hash}


def record_through_head(*, consultation, head):
    """The consultation's entries up to `head`, oldest first.

    Read after the head, so an entry appended in between is left for the next
    read rather than published beyond the head it is published with."""
    return record_entries(consultation=consultation).filter(
        consultation_sequence__lte=head["consultation_sequence"]
    )


def record_latest(*, consultation, limit=50, head=None):
    entries = record_entries(consultation=consultation)
    if head is not None:
        entries = record_through_head(consultation=consultation, head=head)
    entries = list(entries.order_by("-sequence")[:limit])
    for entry in entries:
        entry.kind_label = kind_label(entry.kind)
    return entries


def record_as_json(entry):
    """One entry as published in JSON: everything its hash covers, so anyone can check it."""
    return {
        "sequence": entry.sequence,
        "consultation": entry.consultation_id,
        "kind": entry.kind,
        # The exact string the hash covers (microseconds included).
        "created_at": entry.created_at.isoformat(),
        # Names sit beside the hashed payload: the chain covers their salted
        # digests. An erased name (and its salt) is empty; its digest stays.
        "actor_name": entry.actor_display,
        "actor_name_salt": entry.actor_name_salt,
        "actor_name_digest": entry.actor_name_digest,
        "subject_name": entry.subject_display,
        "subject_name_salt": entry.subject_name_salt,
        "subject_name_digest": entry.subject_name_digest,
        # `summary` is what the hash covers (names as {actor} / {subject}); `text` is it as read.
        "summary": entry.summary,
        "text": entry.public_summary,
        "data": entry.data,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
        # The consultation's own chain: consultation_hash covers the four values
        # consultation, consultation_sequence, consultation_previous_hash, entry_hash.
        "consultation_sequence": entry.consultation_sequence,
        "consultation_previous_hash": entry.consultation_previous_hash,
        "consultation_hash": entry.consultation_hash,
    }


# ---------------------------------------------------------------- restriction register


def _latest_restriction_decisions(consultation):
    """The latest “restriction” record entry for each page, keyed by page id."""
    latest = {}
    for entry in record_entries(consultation=consultation).filter(kind="restriction"):
        page_id = entry.data.get("page")
        if page_id is not None:
            latest[page_id] = entry
    return latest


def restriction_register(*, consultation):
    """Every restriction in a consultation, with its public reason and who decided it.

    - restricted papers and sections (live pages), with the decision from the record;
    - text withheld in published versions because it was restricted when published;
    - comments hidden by moderators;
    - the history of restriction decisions (made, changed, lifted) from the record.
    """
    decisions = _latest_restriction_decisions(consultation)
    papers = list(PolicyPaperPage.objects.live().child_of(consultation).order_by("path"))
    paper_ids = [p.pk for p in papers]
    papers_by_id = {p.pk: p for p in papers}

    current = []
    for paper in papers:
        if paper.restricted:
            current.append(
                {"what": "Paper", "page": paper, "paper": paper, "decision": decisions.get(paper.pk)}
            )
    sections = SectionPage.objects.live().descendant_of(consultation).filter(restricted=True).order_by("path")
    # A section's paper is its parent in the tree: found from the path, no query.
    papers_by_path = {p.path: p for p in papers}
    for section in sections:
        paper = papers_by_path.get(section.path[: -section.steplen])
        if paper is None:
            continue  # in a paper that is not published: nothing public to register
        section._paper_cache = paper
        current.append(
            {"what": "Section", "page": section, "paper": paper, "decision": decisions.get(section.pk)}
        )

    withheld = list(
        SectionVersion.objects.filter(version__paper_id__in=paper_ids, restricted=True)
        .select_related("version")
        .order_by("version__paper_id", "version__number", "position")
    )
    for snapshot in withheld:
        snapshot.version.paper = papers_by_id[snapshot.version.paper_id]

    hidden = list(
        Comment.objects.filter(paper_id__in=paper_ids, hidden_at__isnull=False)
        .select_related("hidden_by", "section", "paper")
        .order_by("hidden_at")
    )

    removed_proposals = list(
        Proposal.objects.filter(paper_id__in=paper_ids, removed_at__isnull=False)
        .select_related("section")
        .order_by("removed_at")
    )

    history = list(record_entries(consultation=consultation).filter(kind="restriction"))
    return {
        "current_restrictions": current,
        "withheld_snapshots": withheld,
        "hidden_comments": hidden,
        "removed_proposals": removed_proposals,
        "restriction_history": history,
    }
