"""Competing proposals: a participant's alternative wording for a section.

A proposal is either a full replacement of the section's wording or a
paragraph to add at its end, with the reasons for it. Like a comment, it
keeps what a reader sees beside it as it was when it was made (the author's
name, working group and organisation, the paper's version and stage) and the
section's wording it was written against, so the record stays true after
people move and the paper changes.

Its life: open → (editors) accepted, with a draft revision of the section →
incorporated in the next published version; or not taken forward (with the
editors' public reason); or withdrawn by its author. Nothing is ever deleted.
The only write path is consultation.proposals.services.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from wagtail.search import index

from consultation.models.pages import Stage


class ProposalKind(models.TextChoices):
    REPLACEMENT = "replacement", "Replacement wording"
    ADDITION = "addition", "Added paragraph"


class ProposalState(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted for the next version"
    INCORPORATED = "incorporated", "Incorporated"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"
    WITHDRAWN = "withdrawn", "Withdrawn by its author"


# Open and accepted proposals still compete for the section; the rest are decided.
UNDECIDED_STATES = (ProposalState.OPEN, ProposalState.ACCEPTED)


class Proposal(index.Indexed, models.Model):
    Kind = ProposalKind
    State = ProposalState

    # Proposals are part of the record: a page with proposals cannot be deleted.
    paper = models.ForeignKey(
        "consultation.PolicyPaperPage", on_delete=models.PROTECT, related_name="proposals"
    )
    section = models.ForeignKey(
        "consultation.SectionPage", on_delete=models.PROTECT, related_name="proposals"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    # Plain text as the author wrote it: blank lines separate paragraphs. It is
    # escaped and sanitised whenever it is shown (consultation.comments.sanitise).
    text = models.TextField()
    rationale = models.TextField()

    # Snapshots taken when the proposal is made.
    author_name = models.CharField(max_length=200)
    organisation_name = models.CharField(max_length=200, blank=True)
    working_group = models.ForeignKey(
        "workinggroups.WorkingGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    working_group_name = models.CharField(max_length=150, blank=True)
    version_label = models.CharField(max_length=40, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    base_text = models.TextField(
        blank=True, help_text="The section's wording when the proposal was made, one paragraph per line."
    )

    state = models.CharField(max_length=20, choices=ProposalState.choices, default=ProposalState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The editors' decision (accepted, or not taken forward) or the withdrawal.
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why it was not taken forward: published.")
    # The draft revision of the section that carries the accepted wording.
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    incorporated_in = models.ForeignKey(
        "consultation.PaperVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    incorporated_in_label = models.CharField(max_length=40, blank=True)
    # The proposal's tally when it stopped taking reactions (decided or
    # withdrawn): tallies follow the paper's version, the record must not.
    closing_tally = models.JSONField(default=dict, blank=True)
    # Set when the author erased their account and asked for their contributions
    # to go: text and reasons are replaced by the public tombstone, the row stays.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["paper", "section", "state"], name="proposal_paper_section_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ProposalState.values), name="proposal_state_is_known"
            ),
            models.CheckConstraint(condition=Q(kind__in=ProposalKind.values), name="proposal_kind_is_known"),
            models.CheckConstraint(
                condition=~Q(state=ProposalState.NOT_TAKEN_FORWARD) | ~Q(decision_reason=""),
                name="proposal_not_taken_forward_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=ProposalState.INCORPORATED) | ~Q(incorporated_in_label=""),
                name="proposal_incorporated_has_version",
            ),
        ]

    # The public search: a proposal's wording and reasons, unless its section is restricted.
    search_fields = [
        index.SearchField("search_text"),
        index.FilterField("paper"),
        index.FilterField("section"),
        index.FilterField("state"),
    ]

    def __str__(self):
        return f"Proposal {self.pk} for section {self.section_id} by {self.author_name}"

    def get_absolute_url(self):
        # comments-xtd redirects here after a comment and its emails link here.
        return reverse("consultation:proposal_detail", kwargs={"proposal_id": self.pk})

    def search_text(self):
        """What the search index holds: nothing while the section or paper is restricted,
        or once its author has removed it (only the tombstone is left)."""
        if self.restricted or self.removed_at is not None:
            return ""
        return f"{self.text}\n{self.rationale}"

    # What comments, reactions, rules and templates ask of a target.

    @property
    def title(self):
        return f"Proposal {self.pk} for “{self.section.title}”"

    @property
    def anchor(self):
        return f"proposal-{self.pk}"

    @property
    def consultation(self):
        return self.paper.consultation

    @property
    def restricted(self):
        """Withheld with its section (or paper): the proposal may quote what is restricted."""
        return bool(self.section.restricted or self.paper.restricted)

    @property
    def url(self):
        return self.get_absolute_url()

    @property
    def target_key(self):
        return f"proposal:{self.pk}"

    @property
    def is_open(self):
        return self.state == ProposalState.OPEN

    @property
    def is_undecided(self):
        return self.state in UNDECIDED_STATES

    @property
    def state_text(self):
        """The state in words, as the page and the report show it."""
        if self.state == ProposalState.INCORPORATED:
            return f"Incorporated in {self.incorporated_in_label}"
        return self.get_state_display()


def proposal_content_type_id():
    """The content type comments on proposals carry (cached by Django after the first call)."""
    return ContentType.objects.get_for_model(Proposal).pk


def proposal_get(*, proposal_id):
    """One proposal with its section and paper (one query), or None."""
    proposal = Proposal.objects.select_related("section", "paper").filter(pk=proposal_id).first()
    if proposal is not None:
        proposal.section._paper_cache = proposal.paper
    return proposal
