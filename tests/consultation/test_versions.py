"""Named versions: publishing, immutability, the public version pages and diffs."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from consultation.models import (
    ImmutableSnapshotError,
    PaperVersion,
    PolicyPaperPage,
    RecordEntry,
    SectionPage,
    SectionVersion,
)
from consultation.rules import MODERATORS_GROUP
from consultation.versions.services import version_publish
from tests.support.factories import ConsultationPageFactory, SectionPageFactory, UserFactory
from tests.support.people import editor_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db

KEEPS_UNCHANGED = (
    "A new version keeps the reactions to every section it leaves unchanged; "
    "a reworded section starts afresh, with its previous figures shown beside the new ones."
)


def republish(page, *, user=None, **fields):
    """Change a page the way an editor does: a new revision, published."""
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision(user=user).publish(user=user)
    return type(page).objects.get(pk=page.pk)


def paragraph(text):
    return [("paragraph", f"<p>{text}</p>")]


def soup_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def marked(element, tag):
    runs = []
    for found in element.find_all(tag):
        found = BeautifulSoup(str(found), "html.parser")
        for hidden in found.select(".visually-hidden"):
            hidden.decompose()
        runs.append(found.get_text())
    return runs


@pytest.fixture
def tree():
    tree = build_site_tree(sections=5)
    tree["editor"] = editor_of(tree["consultation"])
    return tree


def v1_then_three_edits_then_v2(tree):
    paper, sections, editor = tree["paper"], tree["sections"], tree["editor"]
    v1 = version_publish(paper=paper, actor=editor, change_note="First draft for the working groups.")
    republish(sections[0], user=editor, body=paragraph(f"Revised body text of {sections[0].title}."))
    republish(sections[2], user=editor, body=paragraph(f"Body text of {sections[2].title}, with safeguards."))
    republish(sections[4], user=editor, body=paragraph(f"Body of {sections[4].title}."))
    v2 = version_publish(paper=paper, actor=editor, change_note="Revised after review: three sections.")
    return v1, v2


# ---------------------------------------------------------------- acceptance 1


def test_acceptance_the_diff_between_v1_and_v2_shows_exactly_the_three_edits(client, tree):
    v1, v2 = v1_then_three_edits_then_v2(tree)
    paper, sections = tree["paper"], tree["sections"]

    response = client.get(f"{paper.url}versions/compare/?from=1&to=2")
    assert response.status_code == 200
    soup = soup_of(response)
    items = {int(li["data-section-id"]): li for li in soup.select("li.diff-section")}
    assert {sid: li["data-status"] for sid, li in items.items()} == {
        sections[0].pk: "changed",
        sections[1].pk: "unchanged",
        sections[2].pk: "changed",
        sections[3].pk: "unchanged",
        sections[4].pk: "changed",
    }
    assert marked(items[sections[0].pk], "ins") == ["Revised body"]
    assert marked(items[sections[0].pk], "del") == ["Body"]
    number = sections[2].title.split()[-1]
    assert marked(items[sections[2].pk], "del") == [f"{number}."]
    assert marked(items[sections[2].pk], "ins") == [f"{number}, with safeguards."]
    assert marked(items[sections[4].pk], "del") == ["text"]
    assert marked(items[sections[4].pk], "ins") == []
    for unchanged in (sections[1], sections[3]):
        assert not items[unchanged.pk].find("ins") and not items[unchanged.pk].find("del")
    assert "3 sections changed, 0 added, 0 removed, 0 moved." in soup.select_one(".diff-summary").get_text()
    # Every change carries its text label, and the legend explains the marks in words.
    assert all(i.get_text().startswith("[added: ") for i in soup.select("li.diff-section ins"))
    assert all(d.get_text().startswith("[removed: ") for d in soup.select("li.diff-section del"))
    assert "Added words" in soup.select_one(".diff-legend").get_text()


def test_acceptance_v1_is_still_readable_after_v2(client, tree):
    v1, v2 = v1_then_three_edits_then_v2(tree)
    paper, first = tree["paper"], tree["sections"][0]
    response = client.get(f"{paper.url}versions/1/")
    assert response.status_code == 200
    text = soup_of(response).get_text()
    assert f"Body text of {first.title}." in text
    assert f"Revised body text of {first.title}." not in text
    assert "This is an earlier version." in text
    single = client.get(f"{paper.url}versions/1/sections/{first.pk}/")
    assert single.status_code == 200
    assert f"Body text of {first.title}." in single.content.decode()
    # ... while the current text and v2 carry the edit.
    assert f"Revised body text of {first.title}." in client.get(f"{paper.url}versions/2/").content.decode()


def test_the_word_diff_of_the_middle_edit_is_exact(client, tree):
    v1_then_three_edits_then_v2(tree)
    paper, third = tree["paper"], tree["sections"][2]
    response = client.get(f"{paper.url}versions/compare/?from=1&to=2&section={third.pk}")
    item = soup_of(response).select_one("li.diff-section")
    # "Body text of Section N." → "Body text of Section N, with safeguards."
    last_word = third.title.split()[-1]
    assert marked(item, "del") == [f"{last_word}."]
    assert marked(item, "ins") == [f"{last_word}, with safeguards."]
    assert len(soup_of(response).select("li.diff-section")) == 1


# ---------------------------------------------------------------- publishing


def test_publishing_snapshots_every_live_section_and_moves_the_label(tree):
    paper, editor = tree["paper"], tree["editor"]
    draft = SectionPageFactory(parent=paper, title="Not yet published")
    draft.unpublish()
    version = version_publish(paper=paper, actor=editor, change_note="First draft.")
    assert (version.number, version.label, version.published_by_name) == (1, "v1", editor.public_name)
    snapshots = list(version.sections.order_by("position"))
    assert [s.section_id for s in snapshots] == [s.pk for s in tree["sections"]]
    assert [s.position for s in snapshots] == [1, 2, 3, 4, 5]
    assert snapshots[0].body_text == f"Body text of {tree['sections'][0].title}."
    assert "<p>" in snapshots[0].body_html

    republish(tree["sections"][1], user=editor, title="Renamed")
    v2 = version_publish(paper=paper, actor=editor, change_note="Renamed a section.")
    assert v2.label == "v2"
    assert PolicyPaperPage.objects.get(pk=paper.pk).version_label == "v2"


def test_unpublished_draft_changes_are_not_in_the_snapshot(tree):
    paper, editor, section = tree["paper"], tree["editor"], tree["sections"][0]
    page = SectionPage.objects.get(pk=section.pk)
    page.body = paragraph("A draft nobody has published.")
    page.save_revision(user=editor)  # saved, not published
    version = version_publish(paper=paper, actor=editor, change_note="First draft.")
    assert "nobody has published" not in version.sections.get(section=section).body_text


def test_publishing_a_revision_drafted_under_v1_does_not_bring_the_label_back(tree):
    paper, editor = tree["paper"], tree["editor"]
    version_publish(paper=paper, actor=editor, change_note="First draft.")
    drafted = PolicyPaperPage.objects.get(pk=paper.pk)
    drafted.summary = "<p>A new summary.</p>"
    revision = drafted.save_revision(user=editor)  # drafted while v1 is current
    republish(tree["sections"][0], user=editor, body=paragraph("Changed."))
    version_publish(paper=paper, actor=editor, change_note="Second.")
    revision.publish(user=editor)
    assert PolicyPaperPage.objects.get(pk=paper.pk).version_label == "v2"


def test_the_event_is_in_the_record_with_what_changed(tree):
    v1, v2 = v1_then_three_edits_then_v2(tree)
    entries = list(RecordEntry.objects.filter(kind="version_published").order_by("sequence"))
    assert [e.data["label"] for e in entries] == ["v1", "v2"]
    assert entries[1].actor_name == tree["editor"].public_name
    assert "Revised after review: three sections." in entries[1].summary
    assert sorted(entries[1].data["changed"]) == sorted(tree["sections"][i].pk for i in (0, 2, 4))
    assert entries[1].data["added"] == entries[1].data["removed"] == []


def test_subscribers_hear_of_the_new_version_only_once_it_commits(tree, django_capture_on_commit_callbacks):
    from consultation.models import Subscription

    Subscription.objects.create(
        consultation=tree["consultation"], email="reader@example.org", status=Subscription.Status.CONFIRMED
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First draft.")
    assert mail.outbox == []
    # The commit starts a background job, whose emails are jobs started on their own commits.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert "v1" in mail.outbox[0].subject


def test_a_failed_publish_leaves_nothing_behind(tree):
    with pytest.raises(RuntimeError), transaction.atomic():
        version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First draft.")
        raise RuntimeError
    assert not PaperVersion.objects.exists() and not SectionVersion.objects.exists()
    assert not RecordEntry.objects.filter(kind="version_published").exists()
    assert PolicyPaperPage.objects.get(pk=tree["paper"].pk).version_label == "v1"


# ---------------------------------------------------------------- refusals


def refused_people(tree):
    other = ConsultationPageFactory(parent=tree["index"])
    return {
        "anonymous": None,
        "signed-in reader": UserFactory(username="reader"),
        "working-group convenor": _convenor(tree),
        "staff without page permissions": UserFactory(username="staff", is_staff=True),
        "editor of another consultation": editor_of(other, username="other-editor"),
        "editor without publish permission": editor_of(
            tree["consultation"], username="drafter", publish=False
        ),
    }


def _convenor(tree):
    from tests.support.factories import MembershipFactory, WorkingGroupFactory

    group = WorkingGroupFactory()
    tree["consultation"].invited_groups.add(group)
    return MembershipFactory(group=group, role="convenor").user


@pytest.mark.parametrize(
    "who",
    [
        "anonymous",
        "signed-in reader",
        "working-group convenor",
        "staff without page permissions",
        "editor of another consultation",
        "editor without publish permission",
    ],
)
def test_only_publishers_of_the_paper_may_publish_a_version(tree, who):
    from django.contrib.auth.models import AnonymousUser

    user = refused_people(tree)[who] or AnonymousUser()
    assert not user.has_perm("consultation.publish_version", tree["paper"])
    with pytest.raises(PermissionDenied):
        version_publish(paper=tree["paper"], actor=user, change_note="Sneaky.")
    assert not PaperVersion.objects.exists()
    assert PolicyPaperPage.objects.get(pk=tree["paper"].pk).version_label == "v1"


def test_the_editor_and_a_superuser_may_publish_but_a_comment_moderator_may_not(tree):
    # Comment moderators hold no page permission (migration 0010), so they
    # publish nothing; neither does Wagtail's "Moderators" group any more.
    moderator = UserFactory(username="moderator")
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    wagtail_moderator = UserFactory(username="wagtail-moderator")
    wagtail_moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    for user in (tree["editor"], UserFactory(username="root", is_superuser=True)):
        assert user.has_perm("consultation.publish_version", tree["paper"])
    for user in (moderator, wagtail_moderator):
        assert not user.has_perm("consultation.publish_version", tree["paper"])


def test_an_unpublished_paper_cannot_have_a_version(tree):
    tree["paper"].unpublish()
    paper = PolicyPaperPage.objects.get(pk=tree["paper"].pk)
    with pytest.raises(PermissionDenied):
        version_publish(paper=paper, actor=tree["editor"], change_note="Draft.")


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_the_change_note_is_required_and_bounded(tree, note):
    with pytest.raises(ValidationError) as error:
        version_publish(paper=tree["paper"], actor=tree["editor"], change_note=note)
    assert "change_note" in error.value.message_dict
    assert not PaperVersion.objects.exists()


def test_nothing_changed_means_no_new_version(tree):
    version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.")
    with pytest.raises(ValidationError, match="Nothing has changed since v1"):
        version_publish(paper=tree["paper"], actor=tree["editor"], change_note="Again.")
    assert PaperVersion.objects.count() == 1
    assert RecordEntry.objects.filter(kind="version_published").count() == 1


def test_a_paper_without_published_sections_has_nothing_to_publish(tree):
    for section in tree["sections"]:
        section.unpublish()
    with pytest.raises(ValidationError, match="no published sections"):
        version_publish(paper=tree["paper"], actor=tree["editor"], change_note="Empty.")


# ---------------------------------------------------------------- immutability


def test_a_saved_snapshot_refuses_to_change(tree):
    version = version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.")
    snapshot = version.sections.first()
    version.change_note = "Rewritten history"
    with pytest.raises(ImmutableSnapshotError):
        version.save()
    snapshot.body_text = "Rewritten history"
    with pytest.raises(ImmutableSnapshotError):
        snapshot.save()
    with pytest.raises(ImmutableSnapshotError):
        SectionVersion.objects.filter(pk=snapshot.pk).update(body_text="Rewritten")
    with pytest.raises(ImmutableSnapshotError):
        PaperVersion.objects.filter(pk=version.pk).update(change_note="Rewritten")
    with pytest.raises(ImmutableSnapshotError):
        version.delete()
    with pytest.raises(ImmutableSnapshotError):
        SectionVersion.objects.all().delete()
    assert PaperVersion.objects.get(pk=version.pk).change_note == "First."
    assert SectionVersion.objects.get(pk=snapshot.pk).body_text.startswith("Body text of")


def test_a_paper_with_versions_cannot_be_deleted(tree):
    from django.db.models import ProtectedError

    version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.")
    with pytest.raises(ProtectedError):
        PolicyPaperPage.objects.get(pk=tree["paper"].pk).delete()


def test_a_deleted_section_keeps_its_place_in_old_versions(client, tree):
    paper, editor, gone = tree["paper"], tree["editor"], tree["sections"][1]
    version_publish(paper=paper, actor=editor, change_note="First.")
    SectionPage.objects.get(pk=gone.pk).delete()
    version_publish(paper=paper, actor=editor, change_note="Dropped a section.")
    assert f"Body text of {gone.title}." in client.get(f"{paper.url}versions/1/").content.decode()
    soup = soup_of(client.get(f"{paper.url}versions/compare/?from=1&to=2"))
    removed = soup.select_one(f'li.diff-section[data-section-id="{gone.pk}"]')
    assert removed["data-status"] == "removed"
    assert "Removed" in removed.get_text()


# ---------------------------------------------------------------- public pages


def test_the_version_list_shows_each_version_newest_first_with_its_note(client, tree):
    v1_then_three_edits_then_v2(tree)
    response = client.get(f"{tree['paper'].url}versions/")
    assert response.status_code == 200
    soup = soup_of(response)
    items = soup.select(".version-list__item")
    assert [i["id"] for i in items] == ["version-2", "version-1"]
    assert "Revised after review: three sections." in items[0].get_text()
    assert "Latest version" in items[0].get_text()
    assert KEEPS_UNCHANGED in soup.get_text()
    assert soup.select_one("form.compare-form select#id_from")


def test_added_moved_and_renamed_sections_show_as_such(client, tree):
    paper, editor, sections = tree["paper"], tree["editor"], tree["sections"]
    version_publish(paper=paper, actor=editor, change_note="First.")
    new = SectionPageFactory(parent=paper, title="Brand new section")
    SectionPage.objects.get(pk=sections[0].pk).move(SectionPage.objects.get(pk=sections[3].pk), pos="right")
    republish(sections[1], user=editor, title="Costs and benefits")
    version_publish(paper=paper, actor=editor, change_note="Restructured.")
    soup = soup_of(client.get(f"{paper.url}versions/compare/?from=1&to=2"))
    items = {int(li["data-section-id"]): li for li in soup.select("li.diff-section")}
    assert items[new.pk]["data-status"] == "added"
    assert "Added" in items[new.pk].get_text()
    assert "Moved from section 1 to section 4" in " ".join(items[sections[0].pk].get_text().split())
    assert marked(items[sections[1].pk].select_one("h3"), "ins") == ["Costs and benefits"]
    assert "1 added" in soup.select_one(".diff-summary").get_text()


def test_changes_since_compares_with_the_current_text(client, tree):
    paper, editor, first = tree["paper"], tree["editor"], tree["sections"][0]
    version_publish(paper=paper, actor=editor, change_note="First.")
    republish(first, user=editor, body=paragraph("Body text, edited after v1."))
    response = client.get(f"{paper.url}versions/1/changes/")
    assert response.status_code == 200
    soup = soup_of(response)
    assert "since v1" in soup.h1.get_text()
    assert "The text has been edited since v1" in soup.get_text()
    item = soup.select_one(f'li.diff-section[data-section-id="{first.pk}"]')
    assert item["data-status"] == "changed"
    assert "edited after v1." in " ".join(marked(item, "ins"))


def test_the_compare_form_refuses_bad_choices_clearly(client, tree):
    v1_then_three_edits_then_v2(tree)
    url = f"{tree['paper'].url}versions/compare/"
    same = client.get(url + "?from=2&to=2")
    assert same.status_code == 400
    assert "Choose two different versions" in same.content.decode()
    assert not soup_of(same).select("li.diff-section")
    unknown = client.get(url + "?from=9&to=2")
    assert unknown.status_code == 400
    assert "Select a valid choice" in unknown.content.decode()
    junk = client.get(url + "?from=<script>&to=2")
    assert junk.status_code == 400
    assert "<script>" not in junk.content.decode()


def test_unknown_versions_and_sections_are_not_found(client, tree):
    paper = tree["paper"]
    version_publish(paper=paper, actor=tree["editor"], change_note="First.")
    assert client.get(f"{paper.url}versions/7/").status_code == 404
    assert client.get(f"{paper.url}versions/1/sections/999999/").status_code == 404
    assert client.get(f"{paper.url}versions/7/changes/").status_code == 404
    assert client.get(f"{paper.url}versions/sections/999999/").status_code == 404


def test_version_pages_of_an_unpublished_paper_are_not_served(client, tree):
    paper = tree["paper"]
    version_publish(paper=paper, actor=tree["editor"], change_note="First.")
    url = paper.url
    paper.unpublish()
    for path in ("versions/", "versions/1/", "versions/compare/?from=1&to=current"):
        assert client.get(url + path).status_code == 404


def test_with_no_versions_the_pages_say_so(client, tree):
    paper = tree["paper"]
    assert (
        "No version of this paper has been published yet"
        in client.get(f"{paper.url}versions/").content.decode()
    )
    compare = client.get(f"{paper.url}versions/compare/")
    assert compare.status_code == 200
    assert "nothing to compare" in compare.content.decode()


# ---------------------------------------------------------------- query counts


def _versions(tree, count):
    paper, editor, section = tree["paper"], tree["editor"], tree["sections"][0]
    for n in range(count):
        republish(section, user=editor, body=paragraph(f"Wording number {n}."))
        version_publish(paper=paper, actor=editor, change_note=f"Change {n}.")


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_version_list_costs_the_same_for_2_or_12_versions(client, tree, django_assert_max_num_queries):
    _versions(tree, 2)
    url = f"{tree['paper'].url}versions/"
    few = _queries(client, url, django_assert_max_num_queries, 30)
    _versions(tree, 10)
    assert _queries(client, url, django_assert_max_num_queries, few) == few


def test_a_version_page_costs_the_same_for_5_or_25_sections(client, tree, django_assert_max_num_queries):
    paper, editor = tree["paper"], tree["editor"]
    version_publish(paper=paper, actor=editor, change_note="First.")
    republish(tree["sections"][0], user=editor, body=paragraph("Changed."))
    version_publish(paper=paper, actor=editor, change_note="Second.")
    few = _queries(client, f"{paper.url}versions/1/", django_assert_max_num_queries, 40)
    for _ in range(20):
        SectionPageFactory(parent=paper)
    version_publish(paper=paper, actor=editor, change_note="Many more sections.")
    republish(tree["sections"][0], user=editor, body=paragraph("Changed again."))
    version_publish(paper=paper, actor=editor, change_note="Fourth.")
    assert _queries(client, f"{paper.url}versions/3/", django_assert_max_num_queries, few) <= few
    diff_few = _queries(
        client, f"{paper.url}versions/compare/?from=1&to=2", django_assert_max_num_queries, 40
    )
    assert (
        _queries(client, f"{paper.url}versions/compare/?from=3&to=4", django_assert_max_num_queries, diff_few)
        <= diff_few
    )


# ---------------------------------------------------------------- tallies per version


def test_a_new_version_starts_fresh_tallies_and_the_old_ones_stay_in_the_record(client):
    from consultation.reactions.selectors import reaction_tallies
    from consultation.reactions.services import reaction_set
    from tests.support.factories import MembershipFactory, WorkingGroupFactory

    group = WorkingGroupFactory()
    tree = build_site_tree(sections=2, groups=[group])
    editor = editor_of(tree["consultation"])
    paper, section = tree["paper"], tree["sections"][0]
    key = f"section:{section.pk}"
    members = [MembershipFactory(group=group, role="member").user for _ in range(3)]

    version_publish(paper=paper, actor=editor, change_note="First.")
    for member, choice in zip(members, ["agree", "agree", "disagree"], strict=True):
        reaction_set(user=member, target=SectionPage.objects.get(pk=section.pk), choice=choice)
    assert reaction_tallies(paper_id=paper.pk, section_ids=[section.pk])[key]["counts"] == {
        "agree": 2,
        "disagree": 1,
        "neutral": 0,
    }

    republish(section, user=editor, body=paragraph("Reworded."))
    version_publish(paper=paper, actor=editor, change_note="Second.")
    # Fresh for v2 ...
    assert reaction_tallies(paper_id=paper.pk, section_ids=[section.pk])[key]["counts"] == {
        "agree": 0,
        "disagree": 0,
        "neutral": 0,
    }
    # ... while v1's final tallies are in the record, and on the v1 page.
    entry = RecordEntry.objects.get(kind="version_published", data__version=2)
    assert entry.data["closing_tallies"]["version"] == "v1"
    assert entry.data["closing_tallies"]["sections"][str(section.pk)]["counts"] == {
        "agree": 2,
        "disagree": 1,
        "neutral": 0,
    }
    v1_page = soup_of(client.get(f"{paper.url}versions/1/"))
    assert (
        "Reactions to the v1 wording (final): Agree 2, Disagree 1, Neutral 0."
        in v1_page.select_one(f"#section-{section.pk}").get_text()
    )
    assert KEEPS_UNCHANGED in v1_page.get_text()

    # Reacting again counts for v2 only; v1's figures do not move (this used to
    # overwrite the v1 reaction, so v1's live figures shrank as people re-reacted:
    # one reaction per person per wording now keeps them).
    reaction_set(user=members[0], target=SectionPage.objects.get(pk=section.pk), choice="disagree")
    assert reaction_tallies(paper_id=paper.pk, section_ids=[section.pk])[key]["counts"]["disagree"] == 1
    assert reaction_tallies(paper_id=paper.pk, section_ids=[section.pk], version_label="v1")[key][
        "counts"
    ] == {
        "agree": 2,
        "disagree": 1,
        "neutral": 0,
    }
    # The previous wording's figures travel with the tally ("on v1: …").
    previous = reaction_tallies(paper_id=paper.pk, section_ids=[section.pk])[key]["previous"]
    assert previous["label"] == "v1"
    assert previous["counts"] == {"agree": 2, "disagree": 1, "neutral": 0}
    v2_page = soup_of(client.get(f"{paper.url}versions/2/"))
    assert (
        "Reactions to the v2 wording: Agree 0, Disagree 1, Neutral 0."
        in v2_page.select_one(f"#section-{section.pk}").get_text()
    )
    assert "Agree 2, Disagree 1" in soup_of(client.get(f"{paper.url}versions/1/")).get_text()


def test_acceptance_an_unchanged_section_keeps_its_reactions_and_a_changed_one_shows_the_previous_figures():
    from consultation.reactions.selectors import reaction_state_of_user, reaction_tallies
    from consultation.reactions.services import reaction_set
    from tests.support.factories import MembershipFactory, WorkingGroupFactory

    group = WorkingGroupFactory()
    tree = build_site_tree(sections=3, groups=[group])
    editor = editor_of(tree["consultation"])
    paper, sections = tree["paper"], tree["sections"]
    members = [MembershipFactory(group=group, role="member").user for _ in range(3)]
    version_publish(paper=paper, actor=editor, change_note="First.")
    for section in sections:
        for member, choice in zip(members, ["agree", "agree", "disagree"], strict=True):
            reaction_set(user=member, target=SectionPage.objects.get(pk=section.pk), choice=choice)

    republish(sections[0], user=editor, body=paragraph("Reworded section one."))
    version_publish(paper=paper, actor=editor, change_note="Second: section one reworded.")

    tallies = reaction_tallies(paper_id=paper.pk, section_ids=[s.pk for s in sections])
    changed, kept = tallies[f"section:{sections[0].pk}"], tallies[f"section:{sections[2].pk}"]
    assert kept["counts"] == {"agree": 2, "disagree": 1, "neutral": 0}
    assert "previous" not in kept
    assert changed["counts"] == {"agree": 0, "disagree": 0, "neutral": 0}
    assert changed["previous"]["label"] == "v1"
    assert changed["previous"]["counts"] == {"agree": 2, "disagree": 1, "neutral": 0}
    # The same figures for v2 by name, as the report reads them.
    assert reaction_tallies(paper_id=paper.pk, section_ids=[sections[2].pk], version_label="v2")[
        f"section:{sections[2].pk}"
    ]["counts"] == {"agree": 2, "disagree": 1, "neutral": 0}
    # The person is told their reaction was to the earlier wording, and still has it where nothing changed.
    state = reaction_state_of_user(user=members[0], paper_id=paper.pk)
    assert state["earlier"] == {f"section:{sections[0].pk}": "agree"}
    assert state["mine"] == {f"section:{sections[1].pk}": "agree", f"section:{sections[2].pk}": "agree"}


def test_reactions_and_comments_carry_the_fingerprint_of_the_text_their_author_saw():
    from consultation.comments.services import comment_create
    from consultation.models import Reaction
    from consultation.models.pages import wording_hash
    from consultation.reactions.services import reaction_set
    from tests.support.factories import MembershipFactory, WorkingGroupFactory

    group = WorkingGroupFactory()
    tree = build_site_tree(sections=1, groups=[group])
    editor = editor_of(tree["consultation"])
    member = MembershipFactory(group=group, role="member").user
    paper, section = tree["paper"], tree["sections"][0]
    version_publish(paper=paper, actor=editor, change_note="First.")
    section = republish(section, user=editor, body=paragraph("Edited after v1."))
    assert section.wording_hash == wording_hash(section.render_body())
    snapshot = SectionVersion.objects.get(version__number=1, section=section)
    assert snapshot.wording_hash != section.wording_hash
    comment = comment_create(author=member, target=section, text="On the edited text.")
    assert comment.text_hash == section.wording_hash
    reaction_set(user=member, target=section, choice="agree")
    assert Reaction.objects.get(user=member).text_hash == section.wording_hash


def test_the_paper_page_marks_text_edited_after_the_version_and_keeps_the_old_figures_beside_the_new(client):
    from consultation.reactions.services import reaction_set
    from tests.support.factories import MembershipFactory, WorkingGroupFactory

    group = WorkingGroupFactory()
    tree = build_site_tree(sections=2, groups=[group])
    editor = editor_of(tree["consultation"])
    paper, first, second = tree["paper"], *tree["sections"]
    member = MembershipFactory(group=group, role="member").user
    version_publish(paper=paper, actor=editor, change_note="First.")
    reaction_set(user=member, target=SectionPage.objects.get(pk=first.pk), choice="agree")

    page = soup_of(client.get(paper.url))
    assert not page.select("[data-wording-mark]")

    # An editor publishes an edit in Wagtail: the page still says v1, so the section says it changed since v1.
    republish(first, user=editor, body=paragraph("A wording v1 never had."))
    client.force_login(member)
    page = soup_of(client.get(paper.url))
    assert "version v1" in page.select_one(".paper__header").get_text()
    section = page.select_one(f"#section-{first.pk}")
    mark = section.select_one("[data-wording-mark]")
    assert mark["data-wording-mark"] == "changed"
    assert "Changed since v1" in mark.get_text()
    assert "never had" in " ".join(marked(mark, "ins"))
    assert not page.select_one(f"#section-{second.pk}").select("[data-wording-mark]")
    # The old wording's figures beside the fresh ones, and the person told the wording changed.
    assert "On the v1 wording: 1 agree, 0 disagree, 0 neutral." in section.get_text(" ", strip=True)
    assert "The wording of this section has changed since you reacted" in section.get_text(" ", strip=True)
    # The section's own page says so too.
    own = soup_of(client.get(SectionPage.objects.get(pk=first.pk).url))
    assert own.select_one("[data-wording-mark]")["data-wording-mark"] == "changed"

    # Publishing v2 makes the edited text v2's: no mark, and subscribers hear which sections were reworded.
    version_publish(paper=paper, actor=editor, change_note="Second.")
    page = soup_of(client.get(paper.url))
    assert not page.select("[data-wording-mark]")
    assert "On the v1 wording: 1 agree" in page.select_one(f"#section-{first.pk}").get_text(" ", strip=True)


def test_the_new_version_email_names_the_reworded_sections(django_capture_on_commit_callbacks):
    from consultation.subscriptions.services import subscriptions_notify_new_version
    from tests.support.trees import build_site_tree as build

    tree = build(sections=1)
    from consultation.models import Subscription

    Subscription.objects.create(
        consultation=tree["consultation"],
        email="reader@example.org",
        status=Subscription.Status.CONFIRMED,
        confirmed_at="2026-01-01T00:00Z",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # a background job, started after commit
        subscriptions_notify_new_version(
            paper=tree["paper"], version_label="v2", change_note="Reworded.", reworded=["Data sharing duty"]
        )
    (message,) = mail.outbox
    assert "Sections reworded in this version:\n- Data sharing duty" in message.body
    assert "please read them again and react to the new wording" in message.body
