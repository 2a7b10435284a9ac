"""Every public and participant page type at phone widths (WCAG 2.2 1.4.10 Reflow).

At 320 and 390 CSS px the page itself never scrolls sideways (a table that must keep its
grid scrolls inside a focusable, labelled region, and tables of people stack), and axe
finds no WCAG 2.x A/AA violation. The pages are the demo's, as `make run` builds them.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from consultation.comments.services import _unfollow_url, comment_create
from consultation.demo import content
from consultation.models import ConsultationPage, PolicyPaperPage, Proposal, SectionPage
from consultation.models.pages import Stage
from consultation.report.services import report_freeze
from tests.support.factories import UserFactory

pytestmark = pytest.mark.browser

CONVENOR = "costs-convenor"
# The convenor's group: members, an observer, a past member, an invitation.
GROUP = next(g["slug"] for g in content.GROUPS if any(person[0] == CONVENOR for person in g["people"]))


@pytest.fixture
def demo_pages(asgi_server):
    """The demo, with one report frozen; the paths of each page type, anonymous and signed in."""
    call_command("load_demo", verbosity=0)
    consultation = ConsultationPage.objects.get(slug=content.CONSULTATION_SLUG)
    paper = PolicyPaperPage.objects.get(slug=content.PAPER_SLUG)
    section = SectionPage.objects.child_of(paper).first()
    restricted = SectionPage.objects.get(slug=content.RESTRICTED_SECTION_SLUG)
    # A frozen report needs the sign-off stage; the demo is at review.
    ConsultationPage.objects.filter(pk=consultation.pk).update(current_stage=Stage.SIGNOFF)
    editor = UserFactory(is_superuser=True, is_staff=True)
    frozen = report_freeze(paper=PolicyPaperPage.objects.get(pk=paper.pk), actor=editor)
    c, p = consultation.url, paper.url
    # A comment of the convenor's own, just posted, so it may still be edited.
    convenor = get_user_model().objects.get(username=CONVENOR)
    own = comment_create(author=convenor, target=section, text="On reflection, the threshold is too low.")
    convenor_id = convenor.pk
    # The address a "new comments" email gives for stopping them (a page that asks first).
    unfollow = urlsplit(_unfollow_url(paper_id=paper.pk, user_id=convenor_id)).path
    public = [
        "/",
        "/consultations/",
        c,
        p,
        section.url,
        restricted.url,
        f"/consultation/proposals/{Proposal.objects.order_by('pk').first().pk}/",
        f"{p}versions/",
        f"{p}versions/1/",
        f"{p}versions/compare/?from=1&to=2",
        f"{p}versions/1/changes/",
        f"{p}versions/sections/{section.pk}/",
        f"{p}report/",
        f"{p}report/frozen/{frozen.pk}/",
        f"{c}record/",
        f"{c}record/1/",
        f"{c}restrictions/",
        f"/consultation/{consultation.pk}/moderation/",
        f"/consultation/{consultation.pk}/register-interest/",
        "/groups/",
        f"/groups/{GROUP}/",
        f"/{content.ACCESSIBILITY_SLUG}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        unfollow,
    ]
    participant = [
        f"/groups/{GROUP}/manage/",
        f"/groups/{GROUP}/",
        p,
        section.url,
        f"/consultation/sections/{section.pk}/propose/",
        f"/consultation/papers/{paper.pk}/sign-off/",
        "/accounts/profile/",
        "/accounts/password/change/",
        # Their own comment: edit and withdraw.
        f"/consultation/comments/{own.pk}/edit/",
        f"/consultation/comments/{own.pk}/withdraw/",
    ]
    return asgi_server, public, participant


def _assert_reflows(page, url, width):
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{url} is {scroll_width} px wide at a {width} px screen"


@pytest.mark.parametrize("width", [320, 390])
def test_every_public_page_type_reflows_at_phone_widths(demo_pages, new_context, axe, width):
    server, public, _ = demo_pages
    page = new_context(viewport={"width": width, "height": 780}).new_page()
    for path in public:
        _assert_reflows(page, server.url + path, width)
        axe(page)


@pytest.mark.parametrize("width", [320, 390])
def test_every_participant_page_type_reflows_at_phone_widths(
    demo_pages, new_context, browser_login, axe, width
):
    server, _, participant = demo_pages
    page = new_context(viewport={"width": width, "height": 780}).new_page()
    browser_login(page, server, CONVENOR, content.PASSWORD)
    assert page.get_by_role("button", name="Sign out").count() == 1, page.locator("main").inner_text()
    for path in participant:
        _assert_reflows(page, server.url + path, width)
        axe(page)


def test_charts_give_way_to_their_tables_on_a_phone(demo_pages, new_context):
    server, public, _ = demo_pages
    report = next(path for path in public if path.endswith("/report/"))
    # Scaled into 320 px, a chart's 13-unit labels would be about 5 px high: the table says the same.
    narrow = new_context(viewport={"width": 320, "height": 780}).new_page()
    narrow.goto(server.url + report)
    assert narrow.locator(".report-chart").first.is_hidden()
    assert narrow.get_by_role("table", name="Sections by classification").is_visible()
    wide = new_context(viewport={"width": 1280, "height": 900}).new_page()
    wide.goto(server.url + report)
    assert wide.locator(".report-chart").first.is_visible()


def test_the_admin_respond_select_stays_on_a_phone_screen(asgi_server, new_context, browser_login):
    from django.urls import reverse

    from consultation.comments.services import comment_create
    from tests.support.factories import MembershipFactory, WorkingGroupFactory
    from tests.support.people import editor_of
    from tests.support.trees import build_site_tree

    group = WorkingGroupFactory()
    tree = build_site_tree(sections=1, groups=[group])
    editor = editor_of(tree["consultation"])
    member = MembershipFactory(group=group, role="member").user
    comment_create(author=member, target=tree["sections"][0], text="A long point about the threshold " * 8)
    page = new_context(viewport={"width": 390, "height": 780}).new_page()
    browser_login(page, asgi_server, editor.username)
    page.goto(asgi_server.url + reverse("consultation_versions:respond", args=[tree["paper"].pk]))
    box = page.locator("select[name=target]").bounding_box()
    assert box["x"] + box["width"] <= 390
