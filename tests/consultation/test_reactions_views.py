"""Reacting over HTTP: a plain form that works without JavaScript, and JSON for the enhanced page."""

import re

import pytest
from django.test import Client

from consultation.models import Reaction
from consultation.reactions.services import reaction_set
from tests.support.factories import UserFactory
from tests.support.people import member_of
from tests.support.trees import reaction_tree, restrict

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def tree():
    return reaction_tree(sections=2)


@pytest.fixture
def member(tree):
    return member_of(tree["groups"][0], display_name="Ada Member")


def react_url(section):
    return f"/consultation/reactions/section/{section.pk}/"


def post(client, section, json=False, **data):
    accept = "application/json" if json else BROWSER_ACCEPT
    return client.post(react_url(section), data, HTTP_ACCEPT=accept)


def panel(html, section):
    """The reactions panel of one section, as HTML."""
    match = re.search(
        rf'<div class="reactions" id="{section.anchor}-reactions".*?</form>|'
        rf'<div class="reactions" id="{section.anchor}-reactions".*?</div>\s*</div>',
        html,
        re.S,
    )
    assert match, f"no reactions panel for {section.anchor}"
    return match.group(0)


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


# ---------------------------------------------------------------- refusals


def test_the_anonymous_are_sent_to_sign_in_and_nothing_is_stored(client, tree):
    section = tree["sections"][0]
    response = post(client, section, choice="agree")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert post(client, section, json=True, choice="agree").status_code == 401
    assert not Reaction.objects.exists()


def test_people_outside_the_invited_groups_are_told_why_and_nothing_is_stored(client, tree):
    client.force_login(UserFactory())
    section = tree["sections"][0]
    response = post(client, section, choice="agree")
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "Your reaction was not recorded. During working-group review" in page
    json = post(client, section, json=True, choice="agree")
    assert json.status_code == 403
    assert "only members of the invited working groups" in json.json()["error"]
    assert not Reaction.objects.exists()


@pytest.mark.parametrize("data", [{"choice": "love it"}, {}, {"choice": ""}])
def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_stored(client, tree, member, data):
    client.force_login(member)
    section = tree["sections"][0]
    json = client.post(react_url(section), data, HTTP_ACCEPT="application/json")
    assert json.status_code == 400
    assert json.json()["error"] in ("Choose one of: Agree, Disagree, Neutral.", "Choose how you react.")
    response = client.post(react_url(section), data, HTTP_ACCEPT=BROWSER_ACCEPT, follow=True)
    assert "Your reaction was not recorded." in response.content.decode()
    assert not Reaction.objects.exists()


def test_get_is_not_allowed_and_unknown_targets_are_not_found(client, tree, member):
    client.force_login(member)
    section = tree["sections"][0]
    assert client.get(react_url(section)).status_code == 405
    assert client.post("/consultation/reactions/page/1/", {"choice": "agree"}).status_code == 404
    assert (
        client.post(f"/consultation/reactions/section/{section.pk + 999}/", {"choice": "agree"}).status_code
        == 404
    )
    section.unpublish()
    assert client.post(react_url(section), {"choice": "agree"}).status_code == 404
    assert not Reaction.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(tree, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert post(client, tree["sections"][0], choice="agree").status_code == 403
    assert not Reaction.objects.exists()


def test_a_next_address_on_another_site_is_ignored(client, tree, member):
    client.force_login(member)
    section = tree["sections"][0]
    response = post(client, section, choice="agree", next="https://evil.example/phish")
    assert response["Location"] == f"{tree['paper'].url}#{section.anchor}"


# ---------------------------------------------------------------- without JavaScript


def test_without_javascript_reacting_redirects_to_the_section_with_the_tally_in_the_page(
    client, tree, member
):
    client.force_login(member)
    section = tree["sections"][1]
    response = post(client, section, choice="agree")
    assert response.status_code == 303
    assert response["Location"] == f"{tree['paper'].url}#{section.anchor}"

    html = client.get(response["Location"]).content.decode()
    assert f"Your reaction to section “{section.title}”: Agree." in html
    mine = panel(html, section)
    assert "1 agree, 0 disagree, 0 neutral" in text_of(mine)
    assert re.search(r'value="agree"[^>]*aria-pressed="true"', mine)
    assert re.search(r'value="disagree"[^>]*aria-pressed="false"', mine)
    assert "Your reaction: Agree." in text_of(mine)
    # The other section is untouched.
    assert "0 agree, 0 disagree, 0 neutral" in text_of(panel(html, tree["sections"][0]))


def test_without_javascript_changing_and_withdrawing_show_in_the_page(client, tree, member):
    client.force_login(member)
    section = tree["sections"][0]
    post(client, section, choice="agree")
    response = post(client, section, choice="disagree", next=section.url)
    assert response["Location"] == section.url
    html = client.get(section.url).content.decode()
    assert "0 agree, 1 disagree, 0 neutral" in text_of(panel(html, section))

    response = post(client, section, choice="withdraw")
    html = client.get(response["Location"]).content.decode()
    assert f"Your reaction to section “{section.title}” has been withdrawn." in html
    assert "0 agree, 0 disagree, 0 neutral" in text_of(panel(html, section))
    assert "You have not reacted to this section." in html
    assert not Reaction.objects.exists()


# ---------------------------------------------------------------- with JavaScript (JSON)


def test_json_carries_the_fresh_tally_the_choice_and_a_version(client, tree, member):
    client.force_login(member)
    section = tree["sections"][0]
    reaction_set(user=member_of(tree["groups"][1]), target=section, choice="agree")
    body = post(client, section, json=True, choice="agree").json()
    assert body["target"] == f"section:{section.pk}"
    assert body["choice"] == "agree"
    assert body["message"] == f"Your reaction to section “{section.title}”: Agree."
    assert body["tally"]["counts"] == {"agree": 2, "disagree": 0, "neutral": 0}
    assert body["tally"]["by_group"][str(tree["groups"][0].pk)]["agree"] == 1
    assert isinstance(body["version"], int)
    assert body["epoch"]

    withdrawn = post(client, section, json=True, choice="withdraw").json()
    assert withdrawn["choice"] is None
    assert withdrawn["tally"]["counts"]["agree"] == 1


# ---------------------------------------------------------------- pages


def test_the_anonymous_see_tallies_and_are_invited_to_sign_in_but_get_no_buttons(client, tree, member):
    section = tree["sections"][0]
    reaction_set(user=member, target=section, choice="neutral")
    html = client.get(tree["paper"].url).content.decode()
    mine = panel(html, section)
    assert "0 agree, 0 disagree, 1 neutral" in text_of(mine)
    assert "Sign in to react." in mine
    assert "<button" not in mine


def test_the_paper_table_is_a_real_table_by_section_and_group(client, tree, member):
    first, second = tree["groups"]
    reaction_set(user=member, target=tree["sections"][0], choice="agree")
    html = client.get(tree["paper"].url).content.decode()
    table = re.search(r'<table class="tally-table">.*?</table>', html, re.S).group(0)
    assert "<caption" in table
    headers = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert headers == [
        "Section",
        "Everyone",
        *sorted([first.name, second.name]),
        "All working-group members",
        "Public",
    ]
    assert len(re.findall(r'<th scope="row">', table)) == 2
    row = re.search(
        rf'<tr>\s*<th scope="row"><a href="#{tree["sections"][0].anchor}">.*?</tr>', table, re.S
    ).group(0)
    cells = [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    by_name = {first.name: "1 agree, 0 disagree, 0 neutral", second.name: "0 agree, 0 disagree, 0 neutral"}
    assert cells == [
        "1 agree, 0 disagree, 0 neutral",
        *[by_name[name] for name in sorted(by_name)],
        "1 agree, 0 disagree, 0 neutral",
        "0 agree, 0 disagree, 0 neutral",
    ]
    assert f'data-ws-path="/ws/papers/{tree["paper"].pk}/"' in html
    assert "<script>" not in html and " onclick=" not in html


def test_a_restricted_paper_shows_the_public_no_tallies(client, tree, member):
    reaction_set(user=member, target=tree["sections"][0], choice="agree")
    restrict(tree["paper"])
    html = client.get(tree["paper"].url).content.decode()
    assert "tally-table" not in html
    assert 'class="reactions"' not in html
    assert "data-live-tallies" not in html


def test_the_section_page_has_its_reactions_and_the_live_hooks(client, tree, member):
    client.force_login(member)
    section = tree["sections"][1]
    html = client.get(section.url).content.decode()
    assert f'action="/consultation/reactions/section/{section.pk}/"' in html
    assert html.count("data-live-tallies") == 1
    assert html.count("js/live-tallies.js") == 1


# ---------------------------------------------------------------- snapshot over HTTP


def test_the_tallies_endpoint_serves_the_complete_snapshot(client, tree, member):
    reaction_set(user=member, target=tree["sections"][0], choice="agree")
    response = client.get(f"/consultation/papers/{tree['paper'].pk}/tallies/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert (body["type"], body["schema"], body["paper"]) == ("snapshot", 1, tree["paper"].pk)
    assert {t["target"] for t in body["tallies"]} == {f"section:{s.pk}" for s in tree["sections"]}
    assert {g["name"] for g in body["groups"]} == {g.name for g in tree["groups"]}


def test_the_tallies_endpoint_refuses_a_restricted_paper_and_hides_an_unpublished_one(client, tree):
    paper = restrict(tree["paper"])
    assert client.get(f"/consultation/papers/{paper.pk}/tallies/").status_code == 403
    client.force_login(member_of(tree["groups"][0]))
    assert client.get(f"/consultation/papers/{paper.pk}/tallies/").status_code == 403
    paper.unpublish()
    assert client.get(f"/consultation/papers/{paper.pk}/tallies/").status_code == 404
