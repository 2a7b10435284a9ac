"""A page of a consultation is on the site only while the page above it is.

Wagtail serves a live page under an unpublished parent, and its unpublish view takes the
children down only when the editor ticks a box. Here an editor who takes a paper off the site
expects its sections to go with it: every route that shows a section (the page, reactions,
comments, search, the API, exports) judges it by its own `live`, so the tree itself is kept
consistent rather than each route asking about the parents.

- Unpublishing the consultation index, a consultation or a paper unpublishes its live
  children, each through Wagtail's own unpublish (so the page cache, open sockets, the search
  index and the page history follow), and theirs in turn.
- Publishing a consultation, paper or section whose parent is not live is refused in the
  admin, with the draft kept (`refuse_publishing_under_an_unpublished_parent`); by any other
  route that sends Wagtail's `page_published` (scheduled publishing, bulk actions, copying,
  aliases updated with their original, code) it is undone at once, as it is when a live page
  is moved under an unpublished one. (Creating an alias sends nothing; our page types are not
  aliased.)

Scheduling: the admin refuses to schedule a section under a paper that is not live yet, as it
refuses to publish it, so schedule the paper first and its sections once it is live.

Republishing a paper does not republish its sections: the editor chooses which come back.
"""

from consultation.models import ConsultationIndexPage, ConsultationPage, PolicyPaperPage, SectionPage

# Pages whose children go off the site with them.
CONTAINERS = (ConsultationIndexPage, ConsultationPage, PolicyPaperPage)
# Pages that may be live only under a live parent.
DEPENDANTS = (ConsultationPage, PolicyPaperPage, SectionPage)


def unpublished_parent(page):
    """The page's parent if `page` is a consultation, paper or section and the parent is not
    live; None otherwise."""
    if not isinstance(page, DEPENDANTS):
        return None
    parent = page.get_parent()
    return parent if parent is not None and not parent.live else None


def children_unpublish(page):
    """Take `page`'s live children off the site with it (each one's own unpublish takes
    its children in turn)."""
    if not isinstance(page, CONTAINERS) or page.live:
        return
    for child in page.get_children().live().specific():
        child.unpublish()


def publication_undo_if_orphaned(page):
    """A page published under an unpublished parent by a route that did not ask: unpublish it."""
    if page.live and unpublished_parent(page) is not None:
        page.unpublish()
