"""Reads of working groups' sign-off positions on papers."""

from consultation.models import PolicyPaperPage
from workinggroups.selectors import signoffs_current


def consultation_signoff_status(*, consultation):
    """Each invited group's current position on the current version of each live
    paper, and which groups have not yet recorded one for every paper.

    Four queries whatever the number of groups, papers and sign-offs."""
    papers = list(PolicyPaperPage.objects.live().child_of(consultation).order_by("path"))
    groups = list(consultation.invited_groups.order_by("name"))
    signoffs = signoffs_current(papers=papers) if papers and groups else []
    current_labels = {paper.pk: paper.version_label for paper in papers}
    # A position on an earlier version does not count for the current one.
    found = {
        (s.group_id, s.paper_id): s for s in signoffs if s.version_label == current_labels.get(s.paper_id)
    }
    rows = []
    for group in groups:
        positions = [{"paper": paper, "signoff": found.get((group.pk, paper.pk))} for paper in papers]
        rows.append(
            {"group": group, "positions": positions, "complete": all(p["signoff"] for p in positions)}
        )
    missing = [row["group"] for row in rows if not row["complete"]]
    return {"papers": papers, "rows": rows, "missing_groups": missing, "complete": not missing}


def paper_signoff_status(*, paper):
    """For the paper page: each invited group's current position on this
    version (None if not yet recorded), and positions on earlier versions."""
    groups = list(paper.consultation.invited_groups.order_by("name"))
    signoffs = signoffs_current(papers=[paper])
    current = {s.group_id: s for s in signoffs if s.version_label == paper.version_label}
    rows = [{"group": group, "signoff": current.pop(group.pk, None)} for group in groups]
    # A group no longer invited keeps its published position on the page.
    rows += [{"group": s.group, "signoff": s} for s in current.values()]
    earlier = [s for s in signoffs if s.version_label != paper.version_label]
    recorded = sum(1 for row in rows if row["signoff"])
    return {"rows": rows, "earlier": earlier, "recorded": recorded, "invited": len(groups)}
