"""Which writes make which cached pages and fragments stale (the cache: core/page_cache.py).

Tags, each a generation counter:

- `site`: every cached page and fragment. Bumped by any write this module does not
  place more precisely: pages published, unpublished, moved or restricted (Wagtail's
  page rows and view restrictions), stages and their dates, working groups and
  memberships, sign-offs, versions, people's public names…
- `paper:<id>`: the paper page, its sections' pages and its section fragments, for
  what belongs to the paper as a whole (comments on the paper itself and their
  reactions, a frozen report).
- `section:<id>`: that section's page and its fragment on the paper page, for its
  comments, reactions (its tallies and its comments'), proposals and responses.
- `paper-sections:<id>`: the paper page, bumped with every `section:` of its sections,
  so a reaction to section 3 re-renders the paper page around the cached fragments of
  the 99 other sections, and leaves every other paper's pages as they are.

Writes that no public page shows (the record's hash chain, notifications, follows,
exports, a person's voice, Wagtail's log entries and reference index) bump nothing.
Bulk writes (`QuerySet.update`, `bulk_create`) send no signals: code that changes
what a page shows that way must call `core.page_cache.bump` itself.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from consultation.reactions.selectors import reaction_tallies
from core.page_cache import bump, fragment_cache_key, fragments, generations
from core.page_cache import seconds as cache_seconds

# Participation: many writes a second at an event, each placed on its section or paper.
PLACED = {"consultation.comment", "consultation.reaction", "consultation.proposal", "consultation.response"}
# Rows no public page shows.
UNSHOWN = {
    "consultation.recordentry",
    "consultation.recordhead",
    "consultation.consultationrecordhead",
    "consultation.commentnotification",
    "consultation.notificationdigest",
    "consultation.personaldataexport",
    "consultation.subscription",
    "consultation.reportpdf",
    "consultation.paperfollow",
    "consultation.sectionfollow",
    "consultation.voice",
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.referenceindex",
    "wagtailcore.revision",
    "wagtailcore.taskstate",
    "wagtailcore.workflowstate",
    "wagtailcore.pagesubscription",
    "wagtailcore.uploadedfile",
}
# Apps whose rows no public page shows (any other app's write bumps `site`).
UNSHOWN_APPS = {
    "sessions",
    "axes",
    "django_tasks_db",
    "jobs",
    "admin",
    "contenttypes",
    "wagtailsearch",
    "wagtailsearchpromotions",
}


def section_tags(*, paper_id, section_id):
    return ("site", f"paper:{paper_id}", f"section:{section_id}")


def tags_for_write(instance, update_fields=None):
    """The tags a write of `instance` makes stale (empty: none)."""
    meta = instance._meta
    label = meta.label_lower
    if meta.app_label in UNSHOWN_APPS or label in UNSHOWN:
        return ()
    if label == settings.AUTH_USER_MODEL.lower() and update_fields and set(update_fields) <= {"last_login"}:
        return ()  # signing in changes no page
    if label in PLACED:
        paper_id = getattr(instance, "paper_id", None)
        section_id = getattr(instance, "section_id", None)
        if section_id and paper_id:
            return (f"section:{section_id}", f"paper-sections:{paper_id}")
        if paper_id:
            return (f"paper:{paper_id}",)
    return ("site",)


def on_write(sender, instance, update_fields=None, **kwargs):
    bump(*tags_for_write(instance, update_fields))


def section_facts_key(fragment_key):
    return f"section-facts:{fragment_key}"


def store_section_facts(*, sections, seen_by_section):
    """Store beside each section rendered for anonymous readers what the rest of the paper
    page needs from it without reading it again: the working groups seen in its tallies
    (the tables' columns are their union) and its comment count (contents, totals)."""
    entries = {
        fragment_cache_key(section_facts_key(section.fragment_key)): {
            "seen": sorted(seen_by_section.get(section.pk, ())),
            "comments": section.comment_count,
        }
        for section in sections
        if getattr(section, "fragment_key", None)
    }
    if entries:
        cache.set_many(entries, cache_seconds())


def scoped_tallies(*, paper, sections):
    """The paper page's tallies for anonymous readers, in one query: all but those of the
    sections whose rendering is stored (`section.fragment`); the working groups seen in
    those (for the tables' columns) come from their stored facts. Returns the tallies
    (`seen_by_section` filled for the sections read) and the ids of the sections read."""
    stored = [section for section in sections if section.fragment is not None]
    tallies = reaction_tallies(paper_id=paper.pk, skip_sections=[section.pk for section in stored])
    tallies.seen_groups = {group_id for section in stored for group_id in section.facts["seen"]}.union(
        *tallies.seen_by_section.values()
    )
    return tallies, {section.pk for section in sections if section.fragment is None}


def section_fragment_keys(*, paper, sections, user):
    """Set `section.fragment_key` for each section on the paper page: the key its
    rendering is shared under, or None where it must be rendered for this viewer; and
    `section.fragment`, the stored rendering if there is one. Returns the keys of the
    paper's own shared parts ({"signoffs": …, "comments": …}, or Nones) and the stored
    rendering of its own comments ("comments_html", None if there is none).

    Shared only for anonymous viewers, whose rendering depends on nothing but the
    data (what they may read is decided by the same rules for all of them); a signed-in
    reader's sections carry their forms, their own reactions and their permissions.
    The key holds the generations of the tags the section depends on, read in one
    round trip, so a write makes only the affected sections' renderings unreachable."""
    if user.is_authenticated or cache_seconds() <= 0:
        for section in sections:
            section.fragment_key = section.fragment = section.facts = None
        return {"signoffs": None, "comments": None, "comments_html": None}
    tags = {s.pk: section_tags(paper_id=paper.pk, section_id=s.pk) for s in sections}
    paper_tags = ("site", f"paper:{paper.pk}")
    current = generations({tag for each in tags.values() for tag in each} | set(paper_tags))
    for section in sections:
        section.fragment_key = f"{paper.pk}:{section.pk}:" + ".".join(
            str(current[tag]) for tag in tags[section.pk]
        )
    paper_key = f"{paper.pk}:" + ".".join(str(current[tag]) for tag in paper_tags)
    keys = {"signoffs": f"signoffs:{paper_key}", "comments": f"paper-comments:{paper_key}"}
    # Beside each rendering, its facts (`store_section_facts`): the page reads nothing more
    # of a stored section. A rendering without its facts is rendered again. The paper's own
    # comments, if stored, are not read again either (the template is handed what was read).
    stored = fragments(
        [
            keys["comments"],
            *(
                key
                for section in sections
                for key in (section.fragment_key, section_facts_key(section.fragment_key))
            ),
        ]
    )
    for section in sections:
        section.facts = stored.get(section_facts_key(section.fragment_key))
        section.fragment = stored.get(section.fragment_key) if section.facts is not None else None
    return {**keys, "comments_html": stored.get(keys["comments"])}


def connect():
    post_save.connect(on_write, dispatch_uid="consultation.page_cache.save")
    post_delete.connect(on_write, dispatch_uid="consultation.page_cache.delete")
