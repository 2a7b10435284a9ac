"""Restricted text reaches no public output — HTML, feed, JSON, search, diff — while the
restriction itself is listed publicly in the register and the record."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Page

from consultation.comments.services import comment_create, comment_hide
from consultation.models import RecordEntry, RestrictionCategory, SectionPage
from consultation.versions.services import version_publish
from tests.support.factories import MembershipFactory, UserFactory, WorkingGroupFactory
from tests.support.people import editor_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db

MARKER = "Quillfeather threshold is seventeen"
LATER_MARKER = "Marrowbone clause about informants"
REASON = "Publishing the thresholds would help people evade fraud checks."


def publish(page, *, user, **fields):
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision(user=user).publish(user=user)
    return type(page).objects.get(pk=page.pk)


def restriction(reason=REASON, category=RestrictionCategory.SECURITY, review_on=date(2027, 5, 1)):
    return {
        "restricted": True,
        "restriction_category": category,
        "restriction_reason": reason,
        "restriction_review_on": review_on,
    }


@pytest.fixture
def tree():
    group = WorkingGroupFactory()
    tree = build_site_tree(sections=3, groups=[group])
    tree["member"] = MembershipFactory(group=group, role="member").user
    editor = editor_of(tree["consultation"])
    editor.display_name = "Rosa Editor"
    editor.save()
    tree["editor"] = editor
    sections = tree["sections"]
    # Section 2 is restricted from the start; section 3 is public in v1 and restricted before v2.
    tree["secret"] = publish(
        sections[1], user=editor, body=[("paragraph", f"<p>{MARKER}.</p>")], **restriction()
    )
    publish(sections[2], user=editor, body=[("paragraph", f"<p>{LATER_MARKER}.</p>")])
    version_publish(paper=tree["paper"], actor=editor, change_note="First draft.")
    tree["later"] = publish(
        sections[2],
        user=editor,
        body=[("paragraph", f"<p>{LATER_MARKER}, revised.</p>")],
        **restriction(reason="Names an informant.", category=RestrictionCategory.PERSONAL_DATA),
    )
    publish(sections[0], user=editor, body=[("paragraph", "<p>An open change.</p>")])
    version_publish(paper=tree["paper"], actor=editor, change_note="Second draft.")
    return tree


def public_outputs(client, tree):
    paper, consultation, secret, later = tree["paper"], tree["consultation"], tree["secret"], tree["later"]
    urls = [
        paper.url,
        secret.url,
        later.url,
        consultation.url,
        f"{paper.url}versions/",
        f"{paper.url}versions/1/",
        f"{paper.url}versions/2/",
        f"{paper.url}versions/1/sections/{secret.pk}/",
        f"{paper.url}versions/1/sections/{later.pk}/",
        f"{paper.url}versions/2/sections/{later.pk}/",
        f"{paper.url}versions/compare/?from=1&to=2",
        f"{paper.url}versions/compare/?from=2&to=1",
        f"{paper.url}versions/compare/?from=1&to=current",
        f"{paper.url}versions/compare/?from=1&to=2&section={later.pk}",
        f"{paper.url}versions/1/changes/",
        f"{paper.url}versions/sections/{secret.pk}/",
        f"{paper.url}versions/sections/{later.pk}/",
        f"{consultation.url}record/",
        f"{consultation.url}record/feed/",
        f"{consultation.url}record/json/",
        f"{consultation.url}restrictions/",
    ]
    urls += [
        f"{consultation.url}record/{e.sequence}/"
        for e in RecordEntry.objects.filter(consultation=consultation)
    ]
    outputs = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        outputs[url] = response.content.decode()
    return outputs


@pytest.mark.parametrize("who", ["anonymous", "signed-in reader", "invited member"])
def test_acceptance_restricted_text_is_in_no_public_output(client, tree, who):
    user = {
        "anonymous": None,
        "signed-in reader": UserFactory(username="reader"),
        "invited member": tree["member"],
    }
    if user[who] is not None:
        client.force_login(user[who])
    for url, body in public_outputs(client, tree).items():
        assert MARKER not in body, url
        assert "Quillfeather" not in body, url
        assert LATER_MARKER not in body, url
        assert "Marrowbone" not in body, url


def test_acceptance_restricted_text_is_not_found_by_search(tree):
    assert not Page.objects.live().search("Quillfeather")
    assert not SectionPage.objects.live().search("Marrowbone")


def test_editors_do_not_see_restricted_text_in_public_outputs_either(client, tree):
    """Version pages, diffs, feeds and JSON are public outputs: the same for everyone."""
    client.force_login(tree["editor"])
    outputs = public_outputs(client, tree)
    for url in outputs:
        if "/versions/" in url or "/record/" in url:
            assert MARKER not in outputs[url], url
            assert LATER_MARKER not in outputs[url], url


def test_acceptance_the_register_lists_each_restriction_with_reason_decider_date_and_review(client, tree):
    response = client.get(f"{tree['consultation'].url}restrictions/")
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    rows = {int(tr["data-page-id"]): tr for tr in soup.select("tr[data-page-id]")}
    assert set(rows) == {tree["secret"].pk, tree["later"].pk}
    cells = [" ".join(td.get_text().split()) for td in rows[tree["secret"].pk].find_all(["th", "td"])]
    assert cells[0] == f"Section: {tree['secret'].title} in {tree['paper'].title}"
    assert cells[1:4] == ["National security or crime prevention", REASON, "Rosa Editor"]
    decided = RecordEntry.objects.filter(kind="restriction", data__page=tree["secret"].pk).get()
    assert cells[4] == decided.created_at.astimezone(decided_tz()).strftime("%-d %B %Y")
    assert cells[5] == "1 May 2027"
    later = [" ".join(td.get_text().split()) for td in rows[tree["later"].pk].find_all(["th", "td"])]
    assert later[1:3] == ["Contains personal data", "Names an informant."]
    # Text withheld in published versions: section 2 was restricted when v1 and v2 were published.
    withheld = soup.select_one("#withheld-heading").find_parent("section").get_text()
    assert withheld.count(tree["secret"].title) == 2
    history = soup.select_one("#history-heading").find_parent("section").get_text()
    assert "was restricted" in history and REASON in history


def decided_tz():
    from django.utils import timezone

    return timezone.get_current_timezone()


def test_an_earlier_wording_is_withheld_once_its_section_is_restricted(client, tree):
    page = client.get(f"{tree['paper'].url}versions/1/sections/{tree['later'].pk}/").content.decode()
    assert "It is restricted now, so its earlier wording is withheld too." in page
    assert "Names an informant." in page  # the reason is public


def test_the_diff_shows_headings_and_restricted_never_the_text(client, tree):
    soup = BeautifulSoup(
        client.get(f"{tree['paper'].url}versions/compare/?from=1&to=2").content.decode(), "html.parser"
    )
    for section in (tree["secret"], tree["later"]):
        item = soup.select_one(f'li.diff-section[data-section-id="{section.pk}"]')
        assert item["data-status"] == "withheld"
        assert section.title in item.h3.get_text()
        assert not item.find("ins") and not item.find("del")
        assert "restricted" in item.get_text()
    assert "The text of 2 sections is restricted" in soup.select_one(".diff-summary").get_text()
    # Only the open edit counts as a change: the restricted edit is not even counted.
    assert "1 section changed" in soup.select_one(".diff-summary").get_text()


def test_the_record_counts_no_change_to_restricted_text(tree):
    v2 = RecordEntry.objects.filter(kind="version_published", data__version=2).get()
    assert v2.data["changed"] == [tree["sections"][0].pk]


# ---------------------------------------------------------------- restriction events


def test_restricting_changing_and_lifting_are_recorded_once_each(tree):
    section, editor = tree["sections"][0], tree["editor"]

    def events():
        return list(
            RecordEntry.objects.filter(kind="restriction", data__page=section.pk).order_by("sequence")
        )

    publish(section, user=editor, body=[("paragraph", "<p>Edited, still open.</p>")])
    assert events() == []
    publish(
        section,
        user=editor,
        **restriction(reason="Commercial terms.", category=RestrictionCategory.COMMERCIAL),
    )
    publish(section, user=editor, title="Renamed while restricted")  # restriction unchanged: no event
    publish(section, user=editor, restriction_reason="Commercial terms under negotiation.")
    publish(section, user=editor, restricted=False)
    recorded = events()
    assert [e.data["change"] for e in recorded] == ["restricted", "changed", "lifted"]
    assert all(e.actor_name == "Rosa Editor" for e in recorded)
    assert "Commercially confidential: Commercial terms." in recorded[0].summary
    assert "It will be reviewed by 1 May 2027." in recorded[0].summary
    assert "was lifted" in recorded[2].summary


def test_a_restricted_paper_is_registered_and_withholds_every_version(client, tree):
    paper = publish(tree["paper"], user=tree["editor"], **restriction(reason="Draft budget figures."))
    soup = BeautifulSoup(
        client.get(f"{tree['consultation'].url}restrictions/").content.decode(), "html.parser"
    )
    row = soup.select_one(f'tr[data-page-id="{paper.pk}"]')
    assert "Paper:" in row.get_text() and "Draft budget figures." in row.get_text()
    version = client.get(f"{paper.url}versions/2/").content.decode()
    assert "An open change." not in version
    assert "The text of this paper is restricted" in version


def test_a_hidden_comment_is_in_the_register(client, tree):
    comment = comment_create(
        author=tree["member"], target=tree["sections"][0], text="Call me on 07700 900123."
    )
    moderator = UserFactory(username="mod", display_name="Mo Derator", is_superuser=True)
    comment_hide(comment=comment, moderator=moderator, reason="Contains a phone number.")
    body = client.get(f"{tree['consultation'].url}restrictions/").content.decode()
    soup = BeautifulSoup(body, "html.parser")
    row = soup.select_one(f'tr[data-comment-id="{comment.pk}"]')
    text = " ".join(row.get_text().split())
    assert "Contains a phone number." in text and "Mo Derator" in text
    assert row.find("a")["href"].endswith(f"#comment-{comment.pk}")
    assert "07700" not in body


def test_the_register_costs_the_same_however_much_is_restricted(client, tree, django_assert_max_num_queries):
    url = f"{tree['consultation'].url}restrictions/"
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    from tests.support.factories import SectionPageFactory

    for n in range(6):
        section = SectionPageFactory(parent=tree["paper"])
        publish(section, user=tree["editor"], **restriction(reason=f"Reason {n}."))
        comment = comment_create(author=tree["member"], target=tree["sections"][0], text=f"Point {n}.")
        comment_hide(comment=comment, moderator=UserFactory(is_superuser=True), reason=f"Hidden {n}.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Reason 5." in client.get(url).content.decode()


def test_responses_on_a_restricted_section_are_withheld_and_the_record_keeps_only_the_outcome(client, tree):
    from consultation.versions.responses import response_create

    response_create(
        actor=tree["editor"],
        section=tree["secret"],
        outcome="partly_accepted",
        reason=f"We lowered the {MARKER} as asked.",
    )
    history = client.get(f"{tree['paper'].url}versions/sections/{tree['secret'].pk}/").content.decode()
    assert "are not shown while its text is restricted" in history
    assert "Quillfeather" not in history
    entry = RecordEntry.objects.filter(kind="response").get()
    assert entry.summary.endswith("Partly accepted.")
    assert "Quillfeather" not in str(entry.data) and "Quillfeather" not in entry.summary
    for url, body in public_outputs(client, tree).items():
        assert "Quillfeather" not in body, url
