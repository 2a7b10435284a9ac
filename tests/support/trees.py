"""Page trees: the site, a consultation with its paper and sections, and the people each family of
tests starts from. Each builder returns a dict of the pages (and people) it made."""

from datetime import date

from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from consultation.comments.services import comment_create
from consultation.models import RestrictionCategory
from tests.support.contributions import react
from tests.support.factories import (
    ConsultationIndexPageFactory,
    ConsultationPageFactory,
    ContentPageFactory,
    HomePageFactory,
    PolicyPaperPageFactory,
    SectionPageFactory,
    WorkingGroupFactory,
)
from tests.support.people import editor_of, member_of

STAGES = ["drafting", "review", "signoff", "scrutiny", "final"]

# The groups of the proposal and report trees, in the order the report lists them.
GROUP_NAMES = ("Civil society", "Local government", "Researchers")
# The first section's wording in a `proposal_tree`.
CURRENT_WORDING = "Councils must share data with the department every quarter."
RESTRICTION_REASON = "Publishing the thresholds would help people evade fraud checks."


def ensure_root():
    """Transactional tests flush Wagtail's root page, Site and Locale: recreate them."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root")
    return root


def build_site_tree(*, sections=3, stage="review", groups=()):
    """Home → Consultations → Consultation → Paper → sections, served by the default Site."""
    root = ensure_root()
    home = HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    ContentPageFactory(parent=home)
    index = ConsultationIndexPageFactory(parent=home)
    consultation = ConsultationPageFactory(parent=index, current_stage=stage)
    if groups:
        consultation.invited_groups.set(groups)
        consultation.save_revision().publish()
    paper = PolicyPaperPageFactory(parent=consultation)
    section_pages = [SectionPageFactory(parent=paper) for _ in range(sections)]
    return {
        "home": home,
        "index": index,
        "consultation": consultation,
        "paper": paper,
        "sections": section_pages,
    }


def fresh(page):
    """The page as a new request would load it."""
    return type(page).objects.get(pk=page.pk)


def restrict(
    page, *, reason=RESTRICTION_REASON, category=RestrictionCategory.SECURITY, review_on=date(2027, 5, 1)
):
    """Publish `page` restricted, and return it fresh from the database."""
    page.restricted = True
    page.restriction_category = category
    page.restriction_reason = reason
    page.restriction_review_on = review_on
    page.save_revision().publish()
    return fresh(page)


def another_consultation(tree, *, stage="review", groups=()):
    """A second consultation in the same site tree."""
    consultation = ConsultationPageFactory(parent=tree["index"], current_stage=stage)
    if groups:
        consultation.invited_groups.set(groups)
        consultation.save_revision().publish()
    return consultation


def groups_tree(*, stage="review", groups=2, sections=2):
    """A consultation with `groups` invited groups, each with a convenor."""
    invited = [WorkingGroupFactory() for _ in range(groups)]
    tree = build_site_tree(sections=sections, stage=stage, groups=invited)
    tree["groups"] = invited
    tree["convenors"] = [member_of(group, role="convenor") for group in invited]
    return tree


def reaction_tree(*, stage="review", sections=3, groups=2):
    """A consultation with `groups` invited groups and nobody in them yet."""
    invited = [WorkingGroupFactory() for _ in range(groups)]
    tree = build_site_tree(sections=sections, stage=stage, groups=invited)
    tree["groups"] = invited
    return tree


def comment_tree(*, stage="review", sections=3):
    """One invited group ("group") and one that is not invited ("other_group")."""
    invited = WorkingGroupFactory(name="Housing working group")
    other = WorkingGroupFactory(name="Transport working group")
    tree = build_site_tree(sections=sections, stage=stage, groups=[invited])
    tree.update(group=invited, other_group=other)
    return tree


def _named_groups():
    return [WorkingGroupFactory(name=name, slug=name.lower().replace(" ", "-")) for name in GROUP_NAMES]


def proposal_tree(*, stage="review", sections=3, per_group=4):
    """The three GROUP_NAMES invited with `per_group` members each ("members", one list per group),
    an editor, and a first section whose wording is CURRENT_WORDING."""
    groups = _named_groups()
    tree = build_site_tree(sections=sections, stage=stage, groups=groups)
    tree["groups"] = groups
    tree["members"] = [
        [member_of(group, organisation=f"{group.name} organisation") for _ in range(per_group)]
        for group in groups
    ]
    tree["editor"] = editor_of(tree["consultation"], username="paper-editor")
    section = tree["sections"][0]
    section.body = [("paragraph", f"<p>{CURRENT_WORDING}</p>")]
    section.save_revision().publish()
    tree["sections"][0] = fresh(section)
    return tree


def report_tree(*, stage="review", sections=4, per_group=6):
    """The three GROUP_NAMES invited with `per_group` members each ("members"), who speak for
    "<group name> org"."""
    groups = _named_groups()
    tree = build_site_tree(sections=sections, stage=stage, groups=groups)
    tree["groups"] = groups
    tree["members"] = [
        [member_of(group, organisation=f"{group.name} org") for _ in range(per_group)] for group in groups
    ]
    return tree


def report_scenario(stage="review"):
    """Four sections, three groups of six (each heard from 3 reactions, half its members):

    1. everyone agrees (6/6 in each group)            → broad consensus
    2. two groups agree 6/6, the third disagrees 0/6   → contested (12 of 18 agree overall)
    3. two reactions only (1 + 1 of 6)                 → too little participation to say
    4. like 1, but restricted, with comments           → numbers shown, text withheld
    """
    tree = report_tree(stage=stage)
    a, b, c = tree["members"]
    s1, s2, s3, s4 = tree["sections"]
    # Section 4 is worded before anyone reacts: reactions count on the wording
    # their authors saw, so rewording it afterwards would start its tallies afresh.
    s4.body = [("paragraph", "<p>SECRET-BODY-TEXT of section four.</p>")]
    s4.save_revision().publish()
    s4 = tree["sections"][3] = s4.__class__.objects.get(pk=s4.pk)
    for members in (a, b, c):
        react(members, s1, "agree")
        react(members, s4, "agree")
    react(a, s2, "agree")
    react(b, s2, "agree")
    react(c, s2, "disagree")
    react(a[:1], s3, "agree")
    react(b[:1], s3, "neutral")

    # Comments on section 2, on each side, with reactions to the comments.
    tree["for_comment"] = comment_create(author=a[0], target=s2, text="The duty to share is long overdue.")
    tree["for_comment_2"] = comment_create(author=b[0], target=s2, text="Agreed, with safeguards.")
    tree["against_comment"] = comment_create(author=c[0], target=s2, text="This overrides local consent.")
    react(b[1:4], tree["for_comment"], "agree")
    react(a[1:2], tree["for_comment_2"], "agree")
    react(c[1:3], tree["against_comment"], "agree")
    react(a[1:2], tree["against_comment"], "disagree")

    tree["secret_comment"] = comment_create(
        author=a[0], target=s4, text="SECRET-COMMENT about the withheld clause"
    )
    s4.restricted = True
    s4.restriction_category = "security"
    s4.restriction_reason = "Describes fraud detection thresholds."
    s4.save_revision().publish()
    tree["sections"][3] = s4.__class__.objects.get(pk=s4.pk)
    return tree
