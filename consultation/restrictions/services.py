"""Recording restriction decisions in the public process record."""

from consultation.models import PolicyPaperPage, RecordEntry, RestrictionCategory, SectionPage
from consultation.record.services import record_event


def _state(page):
    if not page.restricted:
        return {"restricted": False, "category": "", "reason": "", "review_on": None}
    return {
        "restricted": True,
        "category": page.restriction_category,
        "reason": page.restriction_reason.strip(),
        "review_on": page.restriction_review_on.isoformat() if page.restriction_review_on else None,
    }


def restriction_record_change(*, page, actor):
    """Record a change to a paper's or section's restriction, if it changed.

    Called when a page is published. Compares the page's restriction with the
    last one recorded for it (a page nobody recorded is open, the default),
    so publishing without touching the restriction records nothing. Returns
    the new record entry, or None.
    """
    if not isinstance(page, PolicyPaperPage | SectionPage):
        return None
    consultation = page.consultation
    state = _state(page)
    last = (
        RecordEntry.objects.filter(kind="restriction", consultation=consultation, data__page=page.pk)
        .order_by("-sequence")
        .first()
    )
    previous = (last.data.get("state") if last else None) or _state(SectionPage())
    if state == previous:
        return None

    what = "paper" if isinstance(page, PolicyPaperPage) else "section"
    if state["restricted"]:
        category = RestrictionCategory(state["category"]).label if state["category"] else "No category given"
        review = (
            f" It will be reviewed by {page.restriction_review_on:%-d %B %Y}." if state["review_on"] else ""
        )
        if previous["restricted"]:
            change = "changed"
            summary = (
                f"The restriction on the {what} “{page.title}” changed. {category}: {state['reason']}{review}"
            )
        else:
            change = "restricted"
            summary = (
                f"The text of the {what} “{page.title}” was restricted. {category}: {state['reason']}{review}"
            )
    else:
        change = "lifted"
        summary = f"The restriction on the {what} “{page.title}” was lifted: its text is public again."
    return record_event(
        consultation=consultation,
        kind="restriction",
        actor=actor,
        summary=summary,
        data={"page": page.pk, "page_type": what, "change": change, "state": state},
    )
