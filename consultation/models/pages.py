"""The page tree: Home → Consultations → Consultation → Policy paper → Sections."""

import hashlib
import re

from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from consultation.blocks import SectionBodyBlock
from consultation.models.restriction import Restrictable
from consultation.models.routes import (
    ConsultationRecordRoutes,
    PageContext,
    PaperCommentRoutes,
    PaperReportRoutes,
    PaperVersionRoutes,
)
from core.page_cache import CachedPageMixin
from core.routing import DirectChildRoute

SUMMARY_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class Stage(models.TextChoices):
    DRAFTING = "drafting", "Drafting"
    REVIEW = "review", "Working-group review"
    SIGNOFF = "signoff", "Sign-off"
    SCRUTINY = "scrutiny", "Public scrutiny"
    FINAL = "final", "Final"


class ConsultationIndexPage(CachedPageMixin, PageContext, DirectChildRoute, Page):
    context_selector = "consultation.pages.selectors.index_context"

    intro = RichTextField(blank=True, features=SUMMARY_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["core.HomePage"]
    subpage_types = ["consultation.ConsultationPage"]
    max_count = 1


class ConsultationPage(CachedPageMixin, PageContext, ConsultationRecordRoutes, DirectChildRoute, Page):
    """One open policy process, moving through its stages."""

    context_selector = "consultation.pages.selectors.consultation_context"

    summary = RichTextField(features=SUMMARY_FEATURES)
    run_by = models.CharField(max_length=200, help_text="The team or department that runs this consultation.")
    current_stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFTING)
    invited_groups = ParentalManyToManyField(
        "workinggroups.WorkingGroup", blank=True, related_name="consultations"
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("run_by"),
        MultiFieldPanel(
            [
                # Read-only: stages move only through the "Move stage" admin view
                # (consultation.stages.services), which checks sign-offs and
                # records who moved it, when and why.
                FieldPanel("current_stage", read_only=True),
                InlinePanel("stage_dates", label="Stage dates"),
            ],
            heading="Stages",
        ),
        FieldPanel("invited_groups"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]

    parent_page_types = ["consultation.ConsultationIndexPage"]
    subpage_types = ["consultation.PolicyPaperPage"]

    @property
    def stage(self):
        return Stage(self.current_stage)

    def with_content_json(self, content):
        # The stage belongs to the live page, not to a revision: publishing an
        # older draft must not move the consultation back to the stage it had.
        obj = super().with_content_json(content)
        obj.current_stage = self.current_stage
        return obj

    @property
    def consultation(self):
        return self


class ConsultationStageDates(Orderable):
    """When a stage of a consultation starts and ends, as published to the public."""

    consultation = ParentalKey(ConsultationPage, on_delete=models.CASCADE, related_name="stage_dates")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    panels = [FieldPanel("stage"), FieldPanel("starts_on"), FieldPanel("ends_on")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["consultation", "stage"], name="one_date_range_per_stage")
        ]


class PolicyPaperPage(
    CachedPageMixin,
    PageContext,
    PaperCommentRoutes,
    PaperReportRoutes,
    PaperVersionRoutes,
    RoutablePageMixin,
    Restrictable,
    DirectChildRoute,
    Page,
):
    """A draft policy paper, published section by section (its child pages)."""

    context_selector = "consultation.pages.selectors.paper_context"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft for discussion"
        REVISED = "revised", "Revised draft"
        SIGNED_OFF = "signed_off", "Signed off by the working groups"
        FINAL = "final", "Final"

    summary = RichTextField(features=SUMMARY_FEATURES)
    version_label = models.CharField(max_length=40, default="v1", help_text="For example: v1, v2.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    content_panels = (
        Page.content_panels
        + [
            FieldPanel("summary"),
            # Read-only: set by publishing a named version (see the paper's
            # "Versions" admin page), never by editing a revision.
            FieldPanel(
                "version_label",
                read_only=True,
                help_text="Set when a named version is published from the paper's Versions page.",
            ),
            FieldPanel("status"),
        ]
        + Restrictable.restriction_panels
    )
    # A restricted paper's summary must not reach the search index (search_summary).
    search_fields = Page.search_fields + [index.SearchField("search_summary")]

    parent_page_types = ["consultation.ConsultationPage"]
    subpage_types = ["consultation.SectionPage"]

    @property
    def consultation(self):
        if not hasattr(self, "_consultation_cache"):
            self._consultation_cache = _parent_as(self, ConsultationPage)
        return self._consultation_cache

    def get_absolute_url(self):
        # comments-xtd redirects to this after posting; Wagtail pages lack it.
        return self.url

    def search_summary(self):
        """What the search index holds of the summary: nothing while the paper is restricted."""
        return "" if self.restricted else strip_tags(str(self.summary))

    def page_cache_tags(self):
        # Its own data and every section's (comments, reactions, proposals): see
        # consultation/pages/cache.py for which write bumps which tag.
        return ("site", f"paper:{self.pk}", f"paper-sections:{self.pk}")


class SectionPage(CachedPageMixin, PageContext, Restrictable, Page):
    """One section of a paper. Its page id is its stable identity: the permalink
    `/consultation/sections/<id>/` survives edits, renames and reordering."""

    context_selector = "consultation.pages.selectors.section_context"

    body = StreamField(SectionBodyBlock(), blank=True)
    # A fingerprint of the published body (see `wording_hash`), kept up to date
    # by `save()`. Reactions and comments copy it when they are made, so each is
    # tied to the exact text its author saw (docs/versions-and-record.md).
    wording_hash = models.CharField(max_length=64, blank=True, editable=False)

    content_panels = Page.content_panels + [FieldPanel("body")] + Restrictable.restriction_panels
    # A restricted body must not leak through search: the index holds the heading,
    # and the body only while neither the section nor its paper is restricted
    # (a paper's restriction re-indexes its sections: consultation/search/services.py).
    search_fields = Page.search_fields + [index.SearchField("search_body")]

    parent_page_types = ["consultation.PolicyPaperPage"]
    subpage_types = []

    @property
    def paper(self):
        if not hasattr(self, "_paper_cache"):
            self._paper_cache = _parent_as(self, PolicyPaperPage)
        return self._paper_cache

    @property
    def consultation(self):
        return self.paper.consultation

    @property
    def anchor(self):
        return f"section-{self.pk}"

    def page_cache_tags(self):
        return ("site", f"paper:{self.paper.pk}", f"section:{self.pk}")

    def get_permalink(self):
        return reverse("consultation:section_permalink", kwargs={"section_id": self.pk})

    def get_absolute_url(self):
        return self.url

    def render_body(self):
        """The body as HTML, block by block, as the section page and version snapshots show it."""
        return "".join(str(block.render()) for block in self.body)

    def search_body(self):
        """What the search index holds of the body: nothing while it, or its paper, is restricted."""
        paper = self.get_parent()
        if self.restricted or paper is None or getattr(paper.specific, "restricted", False):
            return ""
        return strip_tags(self.render_body())

    def save(self, *args, **kwargs):
        # Drafts save only a few bookkeeping fields (update_fields): the live
        # wording, and so its fingerprint, changes only when a body is written.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.wording_hash = wording_hash(self.render_body())
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "wording_hash"}
        return super().save(*args, **kwargs)


def _parent_as(page, model):
    """The page's parent as `model` in one query (`get_parent().specific` takes two): every
    reaction, comment and page view asks for its paper and consultation. None where
    Wagtail's routing already holds it (it keeps each page's parent as it goes down)."""
    routed = getattr(page, "_cached_parent_obj", None)
    if isinstance(routed, model) and routed.path == page.path[: -page.steplen]:
        return routed
    parent = model.objects.filter(path=page.path[: -page.steplen]).first()
    return parent if parent is not None else page.get_parent().specific


def with_ancestors(section):
    """`section` with its paper, and the paper with its consultation, fetched in ONE query
    (`section.paper` then `paper.consultation` take two): the reaction POST at an event's
    peak needs the paper whole but of the consultation only what the rules ask (its id
    and stage). The consultation's other fields are deferred: Django loads one on first
    use, so nothing reads a default in place of the stored value."""
    paper_path = section.path[: -section.steplen]
    consultation = ConsultationPage.objects.filter(path=paper_path[: -section.steplen])
    paper = (
        PolicyPaperPage.objects.filter(path=paper_path)
        .annotate(
            consultation_pk=models.Subquery(consultation.values("pk")[:1]),
            consultation_path=models.Subquery(consultation.values("path")[:1]),
            consultation_stage=models.Subquery(consultation.values("current_stage")[:1]),
        )
        .first()
    )
    if paper is None or paper.consultation_pk is None:
        return section  # not where a section belongs: the properties look it up the slow way
    paper._consultation_cache = ConsultationPage.from_db(
        paper._state.db,
        ["id", "path", "page_ptr_id", "current_stage"],
        [paper.consultation_pk, paper.consultation_path, paper.consultation_pk, paper.consultation_stage],
    )
    section._paper_cache = paper
    return section


def wording_hash(body_html):
    """The fingerprint of a section's wording: SHA-256 of its rendered body.

    The same function fingerprints the live section and every version snapshot,
    so "this reaction was made on exactly this text" is one string comparison.
    Incidental markup (Draftail's block keys, new on every save in the admin)
    is left out, so saving the same words again is not a new wording.
    The heading is not part of it: renaming a section does not change what
    people agreed with."""
    text = INCIDENTAL_MARKUP.sub("", body_html or "").strip()
    return hashlib.sha256(text.encode()).hexdigest()


# Markup that changes when the same words are saved again (Draftail's block
# keys): not part of the wording.
INCIDENTAL_MARKUP = re.compile(r'\sdata-block-key="[^"]*"')


def paper_sections(*, paper):
    """The paper's live sections in order, numbered, each knowing its paper."""
    sections = list(SectionPage.objects.live().child_of(paper).order_by("path"))
    for number, section in enumerate(sections, start=1):
        section.number = number
        section._paper_cache = paper
    return sections


class SectionOutline:
    """What the paper page shows of a section outside its own rendering: its place in the
    contents and the tables. Read as plain values (no page object, whose loading is most
    of a paper page's work when the sections' renderings are stored); `paper_sections_for`
    swaps in the whole page for each section that is rendered."""

    __slots__ = ("pk", "title", "restricted", "last_published_at", "number", "__dict__")

    def __init__(self, pk, title, restricted, last_published_at, number):
        self.pk, self.title, self.restricted = pk, title, restricted
        self.last_published_at, self.number = last_published_at, number

    @property
    def id(self):
        return self.pk

    @property
    def anchor(self):
        return f"section-{self.pk}"


def paper_section_outlines(*, paper):
    """The paper's live sections in order, numbered, as `SectionOutline`s: one query."""
    rows = (
        SectionPage.objects.live()
        .child_of(paper)
        .order_by("path")
        .values_list("pk", "title", "restricted", "last_published_at")
    )
    return [SectionOutline(*row, number) for number, row in enumerate(rows, start=1)]


def paper_sections_for(*, paper, outlines, whole):
    """`outlines` in order, each section for which `whole(outline)` is true as its page
    (one query for all of them), numbered, knowing its paper, with what was set on its
    outline; the others stay outlines."""
    wanted = [outline.pk for outline in outlines if whole(outline)]
    pages = (
        {page.pk: page for page in SectionPage.objects.live().child_of(paper).filter(pk__in=wanted)}
        if wanted
        else {}
    )
    sections = []
    for outline in outlines:
        if not whole(outline):
            sections.append(outline)
        elif outline.pk in pages:  # (unpublished since the outline was read: left out)
            page = pages[outline.pk]
            page.__dict__.update(outline.__dict__)
            page.number, page._paper_cache = outline.number, paper
            sections.append(page)
    return sections
