"""Comments on restricted text are withheld on every comment route, by the page's own rule.

The reply page and the flag page once showed the text of any comment by id;
now both ask `consultation.view_comment` (the rule of the page the comment
belongs to) before showing anything.
"""

from datetime import date

import pytest

from consultation.comments.services import comment_create
from consultation.models import RestrictionCategory, SectionPage
from tests.support.factories import UserFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import groups_tree

pytestmark = pytest.mark.django_db

SECRET = "LEAK-MARKER quoting the withheld clause"


@pytest.fixture
def world():
    tree = groups_tree(stage="review", groups=1, sections=1)
    member = member_of(tree["groups"][0])
    section = SectionPage.objects.get(pk=tree["sections"][0].pk)
    comment = comment_create(author=tree["convenors"][0], target=section, text=SECRET)
    reply = comment_create(author=member, target=section, text=SECRET + " (reply)", parent=comment)
    section.restricted = True
    section.restriction_category = RestrictionCategory.PERSONAL_DATA
    section.restriction_reason = "Quotes a named case."
    section.restriction_review_on = date(2027, 1, 1)
    section.save_revision().publish()
    return {
        "comments": [comment, reply],
        "people": {
            "anonymous": None,
            "public": UserFactory(),
            "member": member,
            "author": tree["convenors"][0],
        },
        "editor": editor_of(tree["consultation"]),
    }


@pytest.mark.parametrize("who", ["anonymous", "public", "member", "author"])
@pytest.mark.parametrize("route", ["reply", "flag"])
def test_no_route_shows_a_comment_on_restricted_text(client, world, who, route):
    user = world["people"][who]
    if user is not None:
        client.force_login(user)
    for comment in world["comments"]:
        response = client.get(f"/consultation/comments/{comment.pk}/{route}/")
        body = response.content.decode()
        assert SECRET not in body
        if route == "flag" and user is None:
            assert response.status_code == 302  # sign in first; nothing shown
        else:
            assert response.status_code == 403
            assert "This comment is on restricted text" in body
            assert "Quotes a named case." in body  # the restriction's public reason


def test_flagging_a_withheld_comment_is_refused_and_nothing_is_saved(client, world):
    from consultation.models import CommentReport

    client.force_login(world["people"]["public"])
    comment = world["comments"][0]
    response = client.post(f"/consultation/comments/{comment.pk}/flag/", {"reason": "spam", "details": ""})
    assert response.status_code == 403
    assert not CommentReport.objects.exists()


def test_followers_are_not_emailed_a_comment_on_text_they_may_not_read(world):
    """Someone both a member and an editor may comment on restricted text; the
    paper's public followers must not get it by email."""
    from django.core import mail

    from consultation.comments.services import comment_notify, paper_follow

    section = SectionPage.objects.get(pk=world["comments"][0].section_id)
    group = world["people"]["member"].memberships.first().group
    author = editor_of(section.paper.consultation, username=member_of(group).username)
    follower = world["people"]["public"]
    paper_follow(paper=section.paper, user=follower)
    mail.outbox.clear()
    comment = comment_create(author=author, target=section, text=SECRET + " (editor)")
    sent = comment_notify(comment_id=comment.pk)
    assert follower.email.lower() not in sent
    assert not any(SECRET in (message.body or "") for message in mail.outbox)


def test_sign_off_statements_on_restricted_text_are_withheld_on_the_paper_page(client):
    from workinggroups.models import Position
    from workinggroups.services.signoffs import SectionPositionInput, signoff_record

    tree = groups_tree(stage="signoff", groups=1, sections=2)
    restricted, open_section = (SectionPage.objects.get(pk=s.pk) for s in tree["sections"])
    signoff_record(
        group=tree["groups"][0],
        paper=tree["paper"],
        version_label=tree["paper"].version_label,
        position=Position.ENDORSE,
        section_positions=[
            SectionPositionInput(restricted, Position.DO_NOT_ENDORSE, f"Because {SECRET}"),
            SectionPositionInput(open_section, Position.DO_NOT_ENDORSE, "OPEN-STATEMENT stays public"),
        ],
        actor=tree["convenors"][0],
    )
    restricted.restricted = True
    restricted.restriction_category = RestrictionCategory.PERSONAL_DATA
    restricted.restriction_reason = "Quotes a named case."
    restricted.restriction_review_on = date(2027, 1, 1)
    restricted.save_revision().publish()
    body = client.get(tree["paper"].url).content.decode()
    assert SECRET not in body
    assert "OPEN-STATEMENT stays public" in body and "Statement withheld" in body
