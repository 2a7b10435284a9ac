"""Proposals on the public site: proposing, beside the section, their own page, the report."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.comments.forms import CommentForm
from consultation.comments.services import comment_create, comment_hide
from consultation.models import Comment, Proposal, RecordEntry, SectionPage
from consultation.proposals.services import proposal_decline, proposal_incorporate, proposal_withdraw
from consultation.report.builder import report_build
from consultation.rules import MODERATORS_GROUP
from consultation.versions.services import version_publish
from tests.support.contributions import propose, react
from tests.support.people import member_of
from tests.support.trees import CURRENT_WORDING, fresh, proposal_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache):
    """The report is cached between requests."""


@pytest.fixture
def tree():
    return proposal_tree(per_group=6)


def soup_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def visible_text(element):
    element = BeautifulSoup(str(element), "html.parser")
    for hidden in element.select(".visually-hidden"):
        hidden.decompose()
    return " ".join(element.get_text(" ").split())


def marked(element, tag):
    return [visible_text(found) for found in element.find_all(tag)]


def propose_through_the_form(client, user, section, *, kind, text, rationale):
    client.force_login(user)
    response = client.post(
        f"/consultation/sections/{section.pk}/propose/", {"kind": kind, "text": text, "rationale": rationale}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Proposal.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def react_through_the_form(client, users, proposal, choice):
    for user in users:
        client.force_login(user)
        response = client.post(f"/consultation/reactions/proposal/{proposal.pk}/", {"choice": choice})
        assert response.status_code == 303


def proposal_cards(soup, section):
    block = soup.select_one(f"#proposals-{section.pk}")
    return block.select("li.proposal")


# ---------------------------------------------------------------- acceptance 1


def test_acceptance_competing_wordings_show_with_diffs_ranked_by_cross_group_support(client, tree):
    section, paper = tree["sections"][0], tree["paper"]
    civil, local, research = tree["members"]

    a = propose_through_the_form(
        client,
        civil[0],
        section,
        kind="replacement",
        text="Councils must share data with the department every month.",
        rationale="Quarterly is too slow to catch fraud.",
    )
    b = propose_through_the_form(
        client,
        local[0],
        section,
        kind="addition",
        text="Councils publish a list of what they share.",
        rationale="People should see what is shared about them.",
    )
    assert (a.working_group_name, b.working_group_name) == ("Civil society", "Local government")

    # A has more agree reactions in all (11 against 9), but one group is against it;
    # B is agreed by every group. Cross-group support puts B first.
    react_through_the_form(client, research, a, "agree")
    react_through_the_form(client, civil[1:], a, "agree")
    react_through_the_form(client, local[1:], a, "disagree")
    react_through_the_form(client, civil[1:4], b, "agree")
    react_through_the_form(client, local[1:4], b, "agree")
    react_through_the_form(client, research[:3], b, "agree")

    client.logout()
    for url in (paper.url, section.url):
        soup = soup_of(client.get(url))
        cards = proposal_cards(soup, section)
        assert [card["data-proposal-id"] for card in cards] == [str(b.pk), str(a.pk)]
        # Each with its word-level diff against the current wording.
        a_card, b_card = cards[1], cards[0]
        assert marked(a_card.select_one(".diff"), "del") == ["quarter."]
        assert marked(a_card.select_one(".diff"), "ins") == ["month."]
        assert marked(b_card.select_one(".diff"), "ins") == ["Councils publish a list of what they share."]
        assert marked(b_card.select_one(".diff"), "del") == []
        # The ordering rule is on the page, in plain words.
        rule = visible_text(soup.select_one(f"#proposals-{section.pk} .proposals__rule"))
        assert "support across working groups, not by raw counts" in rule
        method = visible_text(soup.select_one(f"#proposals-{section.pk} .proposals__method"))
        assert "a group that has not reacted counts as undecided" in method
        # B: 3 of 6 agree in each group → (½ + ½ + ½) / 3 = +50 %; A: (5/6 − 5/6 + 6/6) / 3 = +33 %.
        assert "score +50% over 3 working groups" in visible_text(b_card)
        assert "score +33% over 3 working groups" in visible_text(a_card)

    # The proposal's own page shows the full comparison (the addition as an insertion at the end).
    detail = soup_of(client.get(b.get_absolute_url()))
    diff = detail.select_one(".diff--proposal")
    assert marked(diff, "ins") == ["Councils publish a list of what they share."]
    assert visible_text(diff).startswith(CURRENT_WORDING)
    assert "Ranked 1 of 2 competing proposals" in visible_text(detail)

    # The report lists both as competing proposals, in the same order, with support by group.
    snapshot = report_build(paper=paper)
    listed = next(s for s in snapshot["sections"] if s["id"] == section.pk)["proposals"]
    assert [(p["id"], p["rank"]) for p in listed] == [(b.pk, 1), (a.pk, 2)]
    by_group = {row["name"]: (row["agree"], row["disagree"]) for row in listed[1]["groups"]}
    assert by_group == {
        "Civil society": (5, 0),
        "Local government": (0, 5),
        "Researchers": (6, 0),
        "Public": (0, 0),
    }
    report = soup_of(client.get(f"{paper.url}report/"))
    items = report.select(f"#report-section-{section.pk} li.report-proposal")
    assert [item["data-proposal"] for item in items] == [str(b.pk), str(a.pk)]
    assert "every month" in visible_text(items[1]) and "Local government" in visible_text(items[1])


# ---------------------------------------------------------------- proposing


def test_the_form_offers_the_current_wording_to_edit_and_keeps_text_on_errors(client, tree):
    section = tree["sections"][0]
    member = tree["members"][0][0]
    client.force_login(member)

    form = soup_of(client.get(f"/consultation/sections/{section.pk}/propose/?kind=replacement"))
    assert form.select_one("textarea[name=text]").get_text().strip() == CURRENT_WORDING
    assert form.select_one("input[name=kind][value=replacement]").has_attr("checked")
    empty = soup_of(client.get(f"/consultation/sections/{section.pk}/propose/?kind=addition"))
    assert empty.select_one("textarea[name=text]").get_text().strip() == ""

    response = client.post(
        f"/consultation/sections/{section.pk}/propose/",
        {"kind": "replacement", "text": CURRENT_WORDING, "rationale": "My careful reasons."},
    )
    assert response.status_code == 400
    page = soup_of(response)
    summary = page.select_one("[data-error-summary]")
    assert "same as the current text" in visible_text(summary)
    assert summary.select_one("a")["href"] == "#id_text"
    assert page.select_one("textarea[name=rationale]").get_text() == "My careful reasons."
    assert page.select_one("#id_text")["aria-invalid"] == "true"
    assert page.title.get_text().startswith("Error:")
    assert not Proposal.objects.exists()


def test_people_who_may_not_propose_are_told_why_and_nothing_is_saved(client, tree):
    section = tree["sections"][0]
    url = f"/consultation/sections/{section.pk}/propose/"

    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    observer = member_of(tree["groups"][0], role="observer")
    client.force_login(observer)
    response = client.post(url, {"kind": "replacement", "text": "Mine.", "rationale": "Because."})
    assert response.status_code == 403
    assert "only members of the invited working groups can propose" in response.content.decode()
    assert not Proposal.objects.exists()

    # The section says the same instead of offering the links.
    block = soup_of(client.get(section.url)).select_one(f"#proposals-{section.pk}")
    assert block is None  # nothing proposed and nothing to offer: no empty box


def test_a_participant_is_offered_both_kinds_of_proposal_beside_the_section(client, tree):
    section = tree["sections"][0]
    client.force_login(tree["members"][0][0])
    block = soup_of(client.get(tree["paper"].url)).select_one(f"#proposals-{section.pk}")
    links = [a["href"] for a in block.select(".proposals__actions a")]
    assert links == [
        f"/consultation/sections/{section.pk}/propose/?kind=replacement",
        f"/consultation/sections/{section.pk}/propose/?kind=addition",
    ]
    assert "No alternative wording has been proposed" in visible_text(block)


# ---------------------------------------------------------------- states on the page


def test_acceptance_the_page_says_incorporated_in_v2_after_the_next_version(client, tree):
    paper, section, editor = tree["paper"], tree["sections"][0], tree["editor"]
    version_publish(paper=paper, actor=editor, change_note="First draft.")
    proposal = propose(tree["members"][0][0], section, text="Councils may share data with consent.")
    proposal_incorporate(proposal=proposal, editor=editor).publish(user=editor)
    assert "Accepted for the next version" in visible_text(soup_of(client.get(proposal.get_absolute_url())))

    version_publish(paper=fresh(paper), actor=editor, change_note="Consent added.")

    page = soup_of(client.get(proposal.get_absolute_url()))
    assert "Status: Incorporated in v2" in visible_text(page.select_one(".proposal-state"))
    assert page.select_one(".proposal-state a")["href"].endswith("/versions/2/")
    closed = soup_of(client.get(paper.url)).select_one(f"#proposals-{section.pk} .proposals__closed")
    assert "Incorporated in v2" in visible_text(closed)


def test_acceptance_a_withdrawn_proposal_stays_marked_withdrawn(client, tree):
    section = tree["sections"][0]
    author = tree["members"][0][0]
    proposal = propose(author, section)
    react(tree["members"][1][:2], proposal, "agree")

    client.force_login(tree["members"][0][1])
    assert client.post(f"/consultation/proposals/{proposal.pk}/withdraw/").status_code == 403
    assert fresh(proposal).state == "open"

    client.force_login(author)
    ask = client.get(f"/consultation/proposals/{proposal.pk}/withdraw/")
    assert ask.status_code == 200 and "stays on the page and in the public record" in ask.content.decode()
    assert fresh(proposal).state == "open"  # a GET only asks
    response = client.post(f"/consultation/proposals/{proposal.pk}/withdraw/")
    assert response.status_code == 302
    assert fresh(proposal).state == "withdrawn"

    client.logout()
    page = soup_of(client.get(proposal.get_absolute_url()))
    assert "Status: Withdrawn by its author" in visible_text(page)
    assert "When it closed: 2 agree" in visible_text(page.select_one(".reactions--closed"))
    assert not page.select("form[data-reaction-form]")
    closed = soup_of(client.get(section.url)).select_one(f"#proposals-{section.pk} .proposals__closed")
    assert f"Proposal {proposal.pk}" in visible_text(closed) and "Withdrawn by its author" in visible_text(
        closed
    )
    assert RecordEntry.objects.filter(kind="proposal_withdrawn", data__proposal=proposal.pk).exists()


def test_not_taken_forward_shows_the_editors_reason(client, tree):
    proposal = propose(tree["members"][0][0], tree["sections"][0])
    proposal_decline(proposal=proposal, editor=tree["editor"], reason="It duplicates section 3.")
    page = visible_text(soup_of(client.get(proposal.get_absolute_url())).select_one(".proposal-state"))
    assert "Not taken forward" in page and "Their reason: It duplicates section 3." in page


def test_a_restricted_sections_proposals_are_withheld_but_the_reason_is_shown(client, tree):
    section = tree["sections"][0]
    proposal = propose(tree["members"][0][0], section, text="SECRET-PROPOSAL wording", rationale="SECRET-WHY")
    comment_create(author=tree["members"][1][0], target=proposal, text="SECRET-DISCUSSION")
    section = fresh(section)
    section.restricted, section.restriction_category = True, "security"
    section.restriction_reason = "Describes fraud thresholds."
    section.save_revision().publish()

    for url in (tree["paper"].url, section.url, proposal.get_absolute_url(), f"{tree['paper'].url}report/"):
        html = client.get(url).content.decode()
        assert "SECRET-" not in html, url
    detail = client.get(proposal.get_absolute_url()).content.decode()
    assert "Describes fraud thresholds." in detail
    block = soup_of(client.get(tree["paper"].url)).select_one(f"#proposals-{section.pk}")
    assert "not shown while its text is restricted" in visible_text(block)


# ---------------------------------------------------------------- reactions and discussion


def test_reactions_to_a_proposal_use_the_reactions_view_and_its_live_tally(client, tree):
    proposal = propose(tree["members"][0][0], tree["sections"][0])
    client.force_login(tree["members"][1][0])
    response = client.post(
        f"/consultation/reactions/proposal/{proposal.pk}/",
        {"choice": "neutral"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["target"] == f"proposal:{proposal.pk}"
    assert body["tally"]["counts"] == {"agree": 0, "disagree": 0, "neutral": 1}
    assert body["tally"]["by_group"] == {str(tree["groups"][1].pk): {"agree": 0, "disagree": 0, "neutral": 1}}
    assert "proposal" in body["message"]

    # The author does not react to their own proposal, and is told why.
    client.force_login(tree["members"][0][0])
    refused = client.post(
        f"/consultation/reactions/proposal/{proposal.pk}/",
        {"choice": "agree"},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "You made this proposal, so you do not react to it."

    # The paper's tally snapshot (what the websocket sends on connect) carries it.
    snapshot = client.get(f"/consultation/papers/{tree['paper'].pk}/tallies/").json()
    assert {t["target"]: t["counts"] for t in snapshot["tallies"]}[f"proposal:{proposal.pk}"]["neutral"] == 1


def comment_post_data(proposal, text, reply_to=0):
    form = CommentForm(proposal)
    data = {key: form.initial[key] for key in ("content_type", "object_pk", "timestamp", "security_hash")}
    data.update(comment=text, reply_to=reply_to, next=proposal.get_absolute_url())
    return data


def test_a_proposal_has_its_own_threaded_discussion(client, tree):
    section = tree["sections"][0]
    proposal = propose(tree["members"][0][0], section)
    client.force_login(tree["members"][1][0])

    response = client.post(
        "/consultation/comments/post/", comment_post_data(proposal, "Monthly is too often.")
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{proposal.get_absolute_url()}#comment-{comment.pk}"
    assert comment.target == proposal and comment.section_id == section.pk
    assert comment.get_absolute_url() == f"/consultation/proposals/{proposal.pk}/#comment-{comment.pk}"

    client.force_login(tree["members"][0][0])
    reply = client.post(
        "/consultation/comments/post/", comment_post_data(proposal, "It catches fraud sooner.", comment.pk)
    )
    assert reply.status_code == 302
    assert client.get(f"/consultation/comments/{comment.pk}/reply/").status_code == 200

    page = soup_of(client.get(proposal.get_absolute_url()))
    thread = page.select_one(f"#comments-{proposal.pk}")
    assert visible_text(thread.select_one("h2")).startswith("Discussion of this proposal")
    assert thread.select_one("h2 [data-comment-count]").get_text() == "2"
    assert visible_text(thread.select_one(f"#comment-{comment.pk} .comment__text")) == "Monthly is too often."
    assert len(thread.select(f"#comment-{comment.pk} .comment-list--replies > li")) == 1

    # It is the proposal's discussion, not the section's.
    paper_page = soup_of(client.get(tree["paper"].url))
    assert "Monthly is too often." not in visible_text(paper_page.select_one(f"#comments-{section.pk}"))
    assert "(2 comments)" in visible_text(paper_page.select_one(f"#proposal-{proposal.pk}"))
    assert "0 comments" in visible_text(paper_page.select_one(".toc"))

    # Once withdrawn, it takes no new comments, and says why.
    proposal_withdraw(proposal=proposal, user=tree["members"][0][0])
    client.force_login(tree["members"][2][0])
    refused = client.post("/consultation/comments/post/", comment_post_data(fresh(proposal), "Late."))
    assert refused.status_code == 403
    assert "withdrawn by its author, so it takes no new comments" in refused.content.decode()
    assert Comment.objects.count() == 2


# ---------------------------------------------------------------- text never runs

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '<a href="javascript:alert(3)">click</a>',
    '"><svg onload=alert(4)>',
]


def test_xss_payloads_in_proposals_are_inert_everywhere_they_are_shown(client, tree):
    section, editor = tree["sections"][0], tree["editor"]
    text = "\n\n".join(PAYLOADS)
    proposal = propose(tree["members"][0][0], section, text=text, rationale=" ".join(PAYLOADS))
    second = propose(tree["members"][1][0], section, kind="addition", text=PAYLOADS[1], rationale=PAYLOADS[0])
    comment_create(author=tree["members"][2][0], target=proposal, text=PAYLOADS[3])
    react(tree["members"][2][:3], proposal, "agree")

    client.force_login(editor)
    urls = [
        tree["paper"].url,
        section.url,
        proposal.get_absolute_url(),
        second.get_absolute_url(),
        f"{tree['paper'].url}report/",
        f"/admin/consultation-proposals/{proposal.pk}/",
        f"/admin/consultation-proposals/{second.pk}/",
        "/admin/consultation-proposals/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        soup = BeautifulSoup(html, "html.parser")
        for script in soup.find_all("script"):
            assert "alert" not in script.get_text(), url
        for element in soup.find_all(True):
            for name, value in element.attrs.items():
                assert not name.startswith("on"), (url, element.name, name)
                values = value if isinstance(value, list) else [value]
                assert not any("javascript:" in v for v in values), (url, element.name, name)
        assert soup.find("svg", attrs={"onload": True}) is None and soup.find("img", src="x") is None, url
    # The words are there, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(proposal.get_absolute_url()).content.decode()


# ---------------------------------------------------------------- cost


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_paper_page_costs_the_same_however_many_proposals_it_has(client, tree):
    sections = tree["sections"]
    member = tree["members"][2][0]
    client.force_login(member)
    first = propose(tree["members"][0][0], sections[0])
    react(tree["members"][1][:2], first, "agree")
    comment_create(author=tree["members"][1][0], target=first, text="One comment.")
    count_queries(client, tree["paper"].url)  # warm the content-type cache
    few = count_queries(client, tree["paper"].url)

    for index, section in enumerate(sections):
        for author in tree["members"][0][1:4]:
            proposal = propose(author, section, text=f"Wording {index} by {author.pk}.")
            react(tree["members"][1][:3], proposal, "disagree")
            comment_create(author=tree["members"][1][0], target=proposal, text="A comment.")
    other = propose(tree["members"][1][0], sections[1], kind="addition", text="Added.")
    proposal_withdraw(proposal=other, user=tree["members"][1][0])
    many = count_queries(client, tree["paper"].url)

    assert Proposal.objects.count() == 11
    assert many == few
    html = client.get(tree["paper"].url).content.decode()
    assert html.count('class="proposal"') == 10


def test_a_proposal_page_for_a_section_that_is_not_live_is_not_found(client, tree):
    proposal = propose(tree["members"][0][0], tree["sections"][0])
    SectionPage.objects.get(pk=proposal.section_id).unpublish()
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert client.get("/consultation/proposals/999999/").status_code == 404


def test_a_moderator_hides_a_comment_in_a_proposals_discussion(client, tree):
    proposal = propose(tree["members"][0][0], tree["sections"][0])
    comment = comment_create(author=tree["members"][1][0], target=proposal, text="Call me on 07700 900123.")
    moderator = tree["members"][2][0]
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])

    comment_hide(comment=comment, moderator=moderator, reason="Contains a phone number.")

    entry = RecordEntry.objects.get(kind="moderation")
    assert entry.summary.startswith(
        f"A moderator removed comment {comment.pk} on proposal {proposal.pk} for section"
    )
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "07700" not in page and "Contains a phone number." in page
    assert client.get(f"/consultation/comments/{comment.pk}/").url == comment.get_absolute_url()
