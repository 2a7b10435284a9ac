"""“You said, we did”, and comments anchored to the version they were made on."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from consultation.comments.services import comment_create, comment_hide
from consultation.models import ImmutableSnapshotError, RecordEntry, Response
from consultation.versions.responses import response_create
from consultation.versions.services import version_publish
from tests.support.factories import (
    ConsultationPageFactory,
    MembershipFactory,
    PolicyPaperPageFactory,
    SectionPageFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.support.people import editor_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


def republish(page, *, user, **fields):
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision(user=user).publish(user=user)
    return type(page).objects.get(pk=page.pk)


@pytest.fixture
def tree():
    group = WorkingGroupFactory(name="Data Rights Alliance")
    tree = build_site_tree(sections=3, groups=[group])
    tree["editor"] = editor_of(tree["consultation"])
    tree["member"] = MembershipFactory(group=group, role="member").user
    return tree


@pytest.fixture
def commented(tree):
    """A member comments on section 1 while v1 is current; the team then edits and publishes v2."""
    paper, editor, section = tree["paper"], tree["editor"], tree["sections"][0]
    v1 = version_publish(paper=paper, actor=editor, change_note="First draft.")
    comment = comment_create(
        author=tree["member"], target=section, text="The retention period should be shorter than two years."
    )
    republish(section, user=editor, body=[("paragraph", "<p>Data is kept for one year.</p>")])
    v2 = version_publish(paper=paper, actor=editor, change_note="Shorter retention, as suggested.")
    tree.update(v1=v1, v2=v2, comment=comment)
    return tree


def comment_element(response, comment):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return soup.select_one(f"#comment-{comment.pk}")


# ---------------------------------------------------------------- acceptance 1 (comment part)


def test_acceptance_a_comment_made_on_v1_shows_its_label_and_links_to_the_v1_wording(client, commented):
    comment, paper, section = commented["comment"], commented["paper"], commented["sections"][0]
    assert comment.version_label == "v1"
    for url in (paper.url, section.url):
        element = comment_element(client.get(url), comment)
        assert "on the v1 wording" in " ".join(element.get_text().split())
        link = element.find("a", string="v1 wording")
        assert link["href"] == f"{paper.url}versions/1/sections/{section.pk}/"
    wording = client.get(f"{paper.url}versions/1/sections/{section.pk}/")
    assert wording.status_code == 200
    assert f"Body text of {section.title}." in wording.content.decode()


def test_a_comment_on_the_current_version_says_so_without_a_link(client, commented):
    comment = comment_create(author=commented["member"], target=commented["sections"][0], text="Better now.")
    element = comment_element(client.get(commented["sections"][0].url), comment)
    assert "on version v2" in " ".join(element.get_text().split())
    assert element.find("a", string="v2 wording") is None


# ---------------------------------------------------------------- acceptance 2


def test_acceptance_an_accepted_response_shows_under_the_comment_and_in_the_section_history(
    client, commented
):
    comment, paper, section, v2 = (
        commented["comment"],
        commented["paper"],
        commented["sections"][0],
        commented["v2"],
    )
    response = response_create(
        actor=commented["editor"],
        comment=comment,
        outcome=Response.Outcome.ACCEPTED,
        reason="We agree: one year is enough for the stated purpose.",
        changed_in=v2,
    )
    assert (response.section_id, response.paper_id, response.changed_in_id) == (section.pk, paper.pk, v2.pk)

    for url in (paper.url, section.url):
        element = comment_element(client.get(url), comment)
        text = " ".join(element.get_text().split())
        assert "Policy team’s response: Accepted" in text
        assert "one year is enough" in text
        assert element.find("a", string="v2")["href"].startswith(f"{paper.url}versions/2/")

    history = client.get(f"{paper.url}versions/sections/{section.pk}/")
    assert history.status_code == 200
    soup = BeautifulSoup(history.content.decode(), "html.parser")
    responses = soup.select_one("ol.responses")
    text = " ".join(responses.get_text().split())
    assert "Accepted" in text and "one year is enough" in text
    assert responses.find("a", string="v2")
    assert responses.find("a", href=f"{section.url}#comment-{comment.pk}")
    # The history also says the section changed in v2, with a link to the change.
    assert "Changed since v1" in soup.get_text()
    # ... and the version's own section page lists the response that led to the change.
    wording = client.get(f"{paper.url}versions/2/sections/{section.pk}/").content.decode()
    assert "one year is enough" in wording


def test_a_response_is_in_the_record(commented):
    response_create(
        actor=commented["editor"],
        comment=commented["comment"],
        outcome=Response.Outcome.PARTLY_ACCEPTED,
        reason="Shorter, but not as short as proposed.",
        changed_in=commented["v2"],
    )
    entry = RecordEntry.objects.filter(kind="response").get()
    assert entry.actor_name == commented["editor"].public_name
    assert "Partly accepted" in entry.summary and "Shorter, but not as short" in entry.summary
    assert entry.data["comment"] == commented["comment"].pk and entry.data["changed_in"] == "v2"


def test_a_response_to_a_sections_feedback_as_a_whole(client, commented):
    section = commented["sections"][1]
    response_create(
        actor=commented["editor"],
        section=section,
        outcome=Response.Outcome.NOT_ACCEPTED,
        reason="The definitions stay as they are: they follow the statute.",
    )
    history = client.get(f"{commented['paper'].url}versions/sections/{section.pk}/").content.decode()
    assert "Not accepted" in history and "follow the statute" in history
    assert "In response to the feedback on this section" in history


def test_responses_never_change(commented):
    response = response_create(
        actor=commented["editor"], comment=commented["comment"], outcome="accepted", reason="Yes."
    )
    response.reason = "Rewritten"
    with pytest.raises(ImmutableSnapshotError):
        response.save()
    with pytest.raises(ImmutableSnapshotError):
        Response.objects.update(reason="Rewritten")
    with pytest.raises(ImmutableSnapshotError):
        response.delete()
    assert Response.objects.get().reason == "Yes."


def test_a_hidden_comment_keeps_its_response_under_the_tombstone(client, commented):
    moderator = UserFactory(username="mod", is_superuser=True)
    response_create(
        actor=commented["editor"], comment=commented["comment"], outcome="accepted", reason="Done."
    )
    comment_hide(comment=commented["comment"], moderator=moderator, reason="Contains a phone number.")
    element = comment_element(client.get(commented["sections"][0].url), commented["comment"])
    text = element.get_text()
    assert "Contains a phone number." in text and "Done." in text
    assert "retention period" not in text


def test_response_text_is_escaped(client, commented):
    response_create(
        actor=commented["editor"],
        comment=commented["comment"],
        outcome="accepted",
        reason='<script>alert(1)</script><img src=x onerror="alert(2)">',
    )
    html = client.get(commented["sections"][0].url).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "who",
    ["anonymous", "the commenter", "signed-in reader", "staff", "editor of another consultation"],
)
def test_only_publishers_of_the_paper_may_respond(commented, who):
    other = ConsultationPageFactory(parent=commented["index"])
    user = {
        "anonymous": AnonymousUser(),
        "the commenter": commented["member"],
        "signed-in reader": UserFactory(username="reader"),
        "staff": UserFactory(username="staff", is_staff=True),
        "editor of another consultation": editor_of(other, username="other-editor"),
    }[who]
    with pytest.raises(PermissionDenied):
        response_create(actor=user, comment=commented["comment"], outcome="accepted", reason="Yes.")
    assert not Response.objects.exists()
    assert not RecordEntry.objects.filter(kind="response").exists()


@pytest.mark.parametrize(
    ("outcome", "reason", "field"),
    [
        ("maybe", "A reason.", "outcome"),
        ("", "A reason.", "outcome"),
        ("accepted", "", "reason"),
        ("accepted", "   ", "reason"),
        ("accepted", "x" * 5001, "reason"),
    ],
)
def test_bad_responses_are_refused_by_field(commented, outcome, reason, field):
    with pytest.raises(ValidationError) as error:
        response_create(
            actor=commented["editor"], comment=commented["comment"], outcome=outcome, reason=reason
        )
    assert field in error.value.message_dict
    assert not Response.objects.exists()


def test_the_changed_in_version_must_belong_to_the_same_paper(commented):
    other_paper = PolicyPaperPageFactory(parent=commented["consultation"])
    SectionPageFactory(parent=other_paper)
    other_version = version_publish(paper=other_paper, actor=commented["editor"], change_note="Other.")
    with pytest.raises(ValidationError) as error:
        response_create(
            actor=commented["editor"],
            comment=commented["comment"],
            outcome="accepted",
            reason="Yes.",
            changed_in=other_version,
        )
    assert "changed_in" in error.value.message_dict


def test_exactly_one_target(commented):
    with pytest.raises(ValidationError):
        response_create(actor=commented["editor"], outcome="accepted", reason="Yes.")
    with pytest.raises(ValidationError):
        response_create(
            actor=commented["editor"],
            comment=commented["comment"],
            section=commented["sections"][0],
            outcome="accepted",
            reason="Yes.",
        )
    assert not Response.objects.exists()


def test_responses_under_comments_cost_one_query_per_page(client, commented, django_assert_max_num_queries):
    section, editor = commented["sections"][0], commented["editor"]
    response_create(actor=editor, comment=commented["comment"], outcome="accepted", reason="Yes.")
    with django_assert_max_num_queries(200) as few:
        client.get(section.url)
    for n in range(8):
        comment = comment_create(author=commented["member"], target=section, text=f"Another point {n}.")
        response_create(actor=editor, comment=comment, outcome="not_accepted", reason=f"No {n}.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(section.url).content.decode()
    assert "No 7." in html
