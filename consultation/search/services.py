"""Keeping the public search index true to what may be read.

Section bodies, paper summaries, comments and proposals are indexed only while
the text they belong to is not restricted (each model's `search_*` method says
what it gives the index). A page's own publish re-indexes the page; these
services re-index what *depends* on it: a paper's sections, comments and
proposals when the paper is published (its restriction may have changed), a
section's comments and proposals when the section is.
"""

from wagtail.search import index

from consultation.models import Comment, PolicyPaperPage, Proposal, SectionPage


def search_reindex_dependants(*, page):
    """Re-index what the text of `page` (a paper or a section) decides, in this transaction."""
    if isinstance(page, PolicyPaperPage):
        for section in SectionPage.objects.child_of(page):
            index.insert_or_update_object(section)
        comments = Comment.objects.filter(paper=page)
        proposals = Proposal.objects.filter(paper=page)
    elif isinstance(page, SectionPage):
        comments = Comment.objects.filter(section=page)
        proposals = Proposal.objects.filter(section=page)
    else:
        return
    for item in [*comments.select_related(None), *proposals]:
        if item.search_text():
            index.insert_or_update_object(item)
        else:
            index.remove_object(item)
