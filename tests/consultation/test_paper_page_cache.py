"""The paper page is cached for anonymous readers, per generation of the data: never for
someone signed in, never past a change of what the page shows, never restricted text."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.comments.services import comment_hide
from consultation.models import RestrictionCategory, SectionPage
from tests.support.contributions import add_comment
from tests.support.people import member_of, person_in_role
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_signed_in_reader_is_never_served_the_cached_page(client):
    tree = comment_tree(stage="review", sections=2)
    member = member_of(tree["group"])
    client.get(tree["paper"].url)  # cached for anonymous readers
    client.force_login(member)
    count, html = queries(client, tree["paper"].url)
    assert count > 5
    assert 'name="csrfmiddlewaretoken"' in html  # forms for this person


def test_restricting_a_section_is_never_hidden_by_the_cache(client):
    tree = comment_tree(stage="review", sections=2)
    section = SectionPage.objects.get(pk=tree["sections"][0].pk)
    section.body = [("paragraph", "<p>SECRETWORDING7</p>")]
    section.save_revision().publish()
    assert "SECRETWORDING7" in client.get(tree["paper"].url).content.decode()
    section = SectionPage.objects.get(pk=section.pk)
    section.restricted = True
    section.restriction_category = RestrictionCategory.SECURITY
    section.restriction_reason = "Names a site."
    section.restriction_review_on = date(2027, 1, 1)
    section.save_revision().publish()
    assert "SECRETWORDING7" not in client.get(tree["paper"].url).content.decode()


def test_anonymous_readers_share_one_rendering_until_a_comment_changes_it(client):
    tree = comment_tree(stage="review", sections=2)
    author = member_of(tree["group"])
    url = tree["paper"].url
    first, html = queries(client, url)
    assert "csrfmiddlewaretoken" not in html  # nothing personal in what is shared
    again, _ = queries(client, url)
    assert again <= first // 2  # Wagtail's routing to the page, not the page
    comment = add_comment(author, tree["sections"][0], "A new point")
    _, html = queries(client, url)
    assert "A new point" in html
    comment_hide(comment=comment, moderator=person_in_role("moderator", tree), reason="Off topic.")
    _, html = queries(client, url)
    assert "A new point" not in html and "Off topic." in html
