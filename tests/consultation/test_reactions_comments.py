"""Agree / disagree on comments: the same service, view, tallies and socket as sections."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from consultation.models import Comment, Reaction
from consultation.models.pages import paper_sections
from consultation.reactions.selectors import reaction_tallies
from consultation.reactions.services import reaction_set, reaction_withdraw
from tests.support.contributions import counted, make_comment
from tests.support.factories import UserFactory
from tests.support.people import member_of
from tests.support.trees import reaction_tree

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def tree():
    tree = reaction_tree(sections=2)
    tree["author"] = member_of(tree["groups"][1], display_name="Cora Commenter")
    tree["comment"] = make_comment(paper=tree["paper"], section=tree["sections"][0], author=tree["author"])
    return tree


def test_a_member_agrees_with_a_comment_and_the_reaction_knows_its_paper_and_section(tree):
    member = member_of(tree["groups"][0])
    reaction = reaction_set(user=member, target=tree["comment"], choice="agree")
    assert (reaction.target_kind, reaction.target_id) == ("comment", tree["comment"].pk)
    assert (reaction.paper, reaction.section) == (tree["paper"], tree["sections"][0])
    tally = reaction_tallies(paper_id=tree["paper"].pk)[f"comment:{tree['comment'].pk}"]
    assert tally["counts"] == {"agree": 1, "disagree": 0}
    assert tally == counted(tree["paper"], "comment", tree["comment"].pk)


def test_a_comment_on_the_paper_itself_has_no_section(tree):
    member = member_of(tree["groups"][0])
    on_paper = make_comment(paper=tree["paper"], author=tree["author"])
    reaction = reaction_set(user=member, target=on_paper, choice="disagree")
    assert reaction.section is None


def test_neutral_is_not_a_choice_on_a_comment(tree):
    member = member_of(tree["groups"][0])
    with pytest.raises(ValidationError, match="Choose one of: Agree, Disagree."):
        reaction_set(user=member, target=tree["comment"], choice="neutral")
    assert not Reaction.objects.exists()


def test_refusals_the_author_the_public_in_review_and_a_hidden_comment(tree):
    with pytest.raises(PermissionDenied, match="your own comment"):
        reaction_set(user=tree["author"], target=tree["comment"], choice="agree")
    with pytest.raises(PermissionDenied, match="only members of the invited working groups"):
        reaction_set(user=UserFactory(), target=tree["comment"], choice="agree")
    member = member_of(tree["groups"][0])
    reaction_set(user=member, target=tree["comment"], choice="agree")
    Comment.objects.filter(pk=tree["comment"].pk).update(hidden_at="2026-11-21T10:00:00Z")
    hidden = Comment.objects.get(pk=tree["comment"].pk)
    with pytest.raises(PermissionDenied, match="hidden"):
        reaction_set(user=member, target=hidden, choice="disagree")
    with pytest.raises(PermissionDenied):
        reaction_withdraw(user=member, target=hidden)
    assert Reaction.objects.get().choice == "agree"


def test_the_view_takes_comment_reactions_with_and_without_javascript(client, tree):
    member = member_of(tree["groups"][0])
    client.force_login(member)
    url = f"/consultation/reactions/comment/{tree['comment'].pk}/"
    body = client.post(url, {"choice": "disagree"}, HTTP_ACCEPT="application/json").json()
    assert body["target"] == f"comment:{tree['comment'].pk}"
    assert body["tally"]["counts"] == {"agree": 0, "disagree": 1}
    assert body["message"] == "Your reaction to the comment by Cora Commenter: Disagree."

    response = client.post(url, {"choice": "agree"}, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 303
    assert response["Location"] == f"{tree['sections'][0].url}#{tree['comment'].anchor}"
    assert client.post(url, {"choice": "neutral"}, HTTP_ACCEPT="application/json").status_code == 400
    assert Reaction.objects.get().choice == "agree"


def render_comments(tree, user, comments):
    request = RequestFactory().get(tree["paper"].url)
    request.user = user
    sections = paper_sections(paper=tree["paper"])
    template = Template(
        "{% for comment in comments %}"
        '{% include "consultation/includes/comment_reactions.html" %}'
        "{% endfor %}"
    )
    context = {"request": request, "user": user, "page": tree["paper"], "section": sections[0]}
    return template.render(Context({**context, "comments": comments}))


def test_the_comment_include_shows_counts_pressed_state_and_a_plain_form(tree):
    member = member_of(tree["groups"][0])
    reaction_set(user=member, target=tree["comment"], choice="agree")
    comments = list(Comment.objects.select_related(None).filter(pk=tree["comment"].pk))
    html = render_comments(tree, type(member).objects.get(pk=member.pk), comments)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "1 agree, 0 disagree" in text and "neutral" not in text
    assert f'action="/consultation/reactions/comment/{tree["comment"].pk}/"' in html
    assert re.search(r'value="agree"[^>]*aria-pressed="true"', html)
    assert 'aria-label="Your reaction to the comment by Cora Commenter"' in html
    assert f'data-tally-target="comment:{tree["comment"].pk}"' in html

    anonymous = render_comments(tree, AnonymousUser(), comments)
    assert "1 agree, 0 disagree" in re.sub(r"<[^>]+>", "", anonymous)
    assert "<button" not in anonymous and "<form" not in anonymous


def test_the_comment_include_costs_the_same_queries_for_one_comment_or_twenty(tree):
    member = member_of(tree["groups"][0])
    for i in range(19):
        comment = make_comment(
            paper=tree["paper"], section=tree["sections"][0], author=tree["author"], text=f"#{i}"
        )
        reaction_set(user=member, target=comment, choice=["agree", "disagree"][i % 2])
    all_comments = list(Comment.objects.select_related(None).filter(paper=tree["paper"]))
    user = type(member).objects.get(pk=member.pk)

    def queries(comments):
        viewer = type(user).objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as captured:
            render_comments(tree, viewer, comments)
        return len(captured)

    queries(all_comments[:1])  # warm Wagtail's Site cache
    assert queries(all_comments) <= queries(all_comments[:1])
