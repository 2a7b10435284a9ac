"""Issue 12 in a real browser: versions without amnesia, the live text against
its version label, and the demo report's accessibility at two widths."""

import pytest
from django.core.management import call_command

from consultation.demo import content
from consultation.models import PolicyPaperPage, SectionPage
from consultation.reactions.services import reaction_set
from consultation.versions.services import version_publish
from tests.support.factories import MembershipFactory, WorkingGroupFactory
from tests.support.people import editor_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.browser


def republish(section, *, user, **fields):
    section = SectionPage.objects.get(pk=section.pk)
    for name, value in fields.items():
        setattr(section, name, value)
    section.save_revision(user=user).publish(user=user)
    return SectionPage.objects.get(pk=section.pk)


def test_acceptance_4_an_unchanged_section_keeps_its_reactions_and_a_changed_one_shows_the_previous_figures(
    asgi_server, page, axe
):
    group = WorkingGroupFactory(name="Costs and benefits")
    tree = build_site_tree(sections=3, groups=[group])
    editor = editor_of(tree["consultation"], username="paper-editor")
    paper, sections = tree["paper"], tree["sections"]
    members = [MembershipFactory(group=group, role="member").user for _ in range(3)]
    version_publish(paper=paper, actor=editor, change_note="First draft.")
    for section in sections:
        for member, choice in zip(members, ["agree", "agree", "disagree"], strict=True):
            reaction_set(user=member, target=SectionPage.objects.get(pk=section.pk), choice=choice)
    republish(sections[0], user=editor, body=[("paragraph", "<p>Section one, reworded for v2.</p>")])
    version_publish(paper=paper, actor=editor, change_note="Section one reworded.")

    page.goto(asgi_server.url + paper.url)
    assert "version v2" in page.locator(".paper__header").inner_text()
    third = page.locator(f"#{sections[2].anchor}-reactions")
    assert "2 agree, 1 disagree, 0 neutral" in third.locator(".reactions__tally").inner_text()
    assert third.locator("[data-previous-tally]").count() == 0
    first = page.locator(f"#{sections[0].anchor}-reactions")
    assert "0 agree, 0 disagree, 0 neutral" in first.locator(".reactions__tally").inner_text()
    assert first.locator("[data-previous-tally]").inner_text() == (
        "On the v1 wording: 2 agree, 1 disagree, 0 neutral. "
        "The wording has changed since, so reactions start afresh."
    )
    # v2's text is v2's: nothing is marked as changed since v2.
    assert page.locator("[data-wording-mark]").count() == 0
    axe(page)

    page.goto(f"{asgi_server.url}{paper.url}report/")
    report_first = page.locator(f"[data-report-section='{sections[0].pk}']")
    assert (
        "Reworded since v1. On the v1 wording:" in report_first.locator("[data-field=previous]").inner_text()
    )
    report_third = page.locator(f"[data-report-section='{sections[2].pk}']")
    assert report_third.locator("tr[data-group=all] [data-field=seen]").inner_text() == "3"
    axe(page)


def test_acceptance_5_an_edit_published_in_wagtail_after_vn_is_never_shown_as_vn_text(
    asgi_server, page, axe, browser_login
):
    tree = build_site_tree(sections=2)
    editor = editor_of(tree["consultation"], username="paper-editor")
    paper, first, second = tree["paper"], *tree["sections"]
    version_publish(paper=paper, actor=editor, change_note="First draft.")

    # The editor edits section 1 in the Wagtail admin and publishes it.
    browser_login(page, asgi_server, editor.username)
    page.goto(f"{asgi_server.url}/admin/pages/{first.pk}/edit/")
    editor_box = page.locator("[contenteditable=true]").first
    editor_box.click()
    page.keyboard.press("End")
    page.keyboard.type(" UNVERSIONED-WORDS added after v1.")
    page.wait_for_timeout(300)  # Draftail writes its hidden input after a short pause
    publish = page.locator("button[name=action-publish]")
    if not publish.is_visible():
        # Wagtail keeps Publish in the footer's "more actions" menu.
        page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    with page.expect_navigation():
        publish.click()
    assert "published" in page.locator(".messages").inner_text().lower()

    # The public page still says v1; the edited text appears only under a "Changed since v1" mark.
    public = page.context.browser.new_context().new_page()
    public.goto(asgi_server.url + paper.url)
    assert "version v1" in public.locator(".paper__header").inner_text()
    section = public.locator(f"#{first.anchor}")
    mark = section.locator("[data-wording-mark=changed]")
    assert "Changed since v1" in mark.inner_text()
    mark.locator("summary").click()
    assert any("UNVERSIONED-WORDS" in text for text in mark.locator("ins").all_inner_texts())
    assert public.locator(f"#{second.anchor} [data-wording-mark]").count() == 0
    # Every place the unversioned words appear is inside a section marked as changed since v1.
    holders = public.locator("section.section", has_text="UNVERSIONED-WORDS")
    assert holders.count() == 1
    assert holders.first.locator("[data-wording-mark=changed]").count() == 1
    axe(public)
    public.context.close()

    # Publishing v2 makes it v2's text: the mark goes.
    version_publish(paper=PolicyPaperPage.objects.get(pk=paper.pk), actor=editor, change_note="Second.")
    page.goto(asgi_server.url + paper.url)
    assert "version v2" in page.locator(".paper__header").inner_text()
    assert page.locator("[data-wording-mark]").count() == 0


@pytest.mark.parametrize("width", [1280, 390])
def test_acceptance_6_the_demo_report_shows_who_disagrees_and_the_heatmap_first_with_no_axe_violations(
    asgi_server, new_context, axe, width
):
    call_command("load_demo", verbosity=0)
    paper = PolicyPaperPage.objects.get(slug=content.PAPER_SLUG)
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{asgi_server.url}{paper.url}report/")
    heatmap = page.locator("#report-heatmap-table")
    assert heatmap.is_visible()
    assert heatmap.locator("tbody tr").count() >= 8
    assert "Disagrees" in heatmap.inner_text()
    assert "Safeguards and oversight disagrees" in page.locator("#report-summary").inner_text()
    axe(page)
