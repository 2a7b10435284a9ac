"""The read API releases no restricted text, hidden comment or email address, for any role.

A consultation in review with a published version. Then one section is
restricted: its body, the version's copy of it, a comment, a reply and a
proposal on it carry leak markers. A hidden comment on an open section carries
one too, and everyone's email address is a marker. Every API route (ids filled
with these objects, every filter and page) is fetched as anonymous, a member
of the public, a member, an observer, a former member, a convenor and a comment
moderator: no response may contain a marker. The editor, who may read the
restricted text by design, does find the body markers, so the search is real.
"""

import json

import pytest

from consultation.comments.services import comment_create, comment_hide
from consultation.models import ProposalKind, SectionPage
from consultation.proposals.services import proposal_create
from consultation.versions.services import version_publish
from tests.support.people import comment_moderator, editor_of, everyone_around, member_of
from tests.support.trees import fresh, groups_tree, restrict

pytestmark = pytest.mark.django_db

BODY, COMMENT, REPLY = "LEAKBODY9", "LEAKCOMMENT9", "LEAKREPLY9"
PROPOSAL, HIDDEN = "LEAKPROPOSAL9", "LEAKHIDDEN9"
MARKERS = [BODY, COMMENT, REPLY, PROPOSAL, HIDDEN, "@example.org"]
ROLES = ["anonymous", "public", "member", "observer", "former member", "convenor", "moderator"]


@pytest.fixture
def world():
    tree = groups_tree(stage="review", groups=1, sections=2)
    group = tree["groups"][0]
    convenor = tree["convenors"][0]
    member = member_of(group)
    secret = SectionPage.objects.get(pk=tree["sections"][0].pk)
    secret.body = [("paragraph", f"<p>The clause that names the site: {BODY}.</p>")]
    secret.save_revision().publish()
    secret = fresh(secret)
    open_section = fresh(tree["sections"][1])
    editor = editor_of(tree["consultation"])
    version_publish(paper=fresh(tree["paper"]), actor=editor, change_note="First published version.")
    comment = comment_create(author=convenor, target=secret, text=f"About it: {COMMENT}")
    comment_create(author=member, target=secret, text=f"Agreed: {REPLY}", parent=comment)
    proposal = proposal_create(
        author=member,
        section=secret,
        kind=ProposalKind.REPLACEMENT,
        text=f"Instead say {PROPOSAL}.",
        rationale=f"Because {PROPOSAL}.",
    )
    comment_create(author=convenor, target=proposal, text=f"On it {COMMENT}")
    hidden = comment_create(author=member, target=open_section, text=f"Something unkind {HIDDEN}")
    comment_create(author=convenor, target=open_section, text="A reply that stays.", parent=hidden)
    moderator = comment_moderator()
    comment_hide(comment=hidden, moderator=moderator, reason="Personal remarks.")
    restrict(secret)
    people = everyone_around(group, member=member, convenor=convenor, moderator=moderator)
    return {
        "tree": tree,
        "people": people,
        "editor": editor,
        "secret": secret,
        "hidden": hidden,
        "proposal": proposal,
    }


def _api_urls(world):
    consultation, paper = world["tree"]["consultation"].pk, world["tree"]["paper"].pk
    secret = world["secret"].pk
    open_section = world["tree"]["sections"][1].pk
    yield "/api/v1/openapi.json"
    yield "/api/v1/consultations"
    yield f"/api/v1/consultations/{consultation}"
    yield f"/api/v1/consultations/{consultation}/papers"
    yield f"/api/v1/consultations/{consultation}/record"
    yield f"/api/v1/consultations/{consultation}/record?limit=1"
    yield f"/api/v1/papers/{paper}"
    yield f"/api/v1/sections/{secret}"
    yield f"/api/v1/sections/{open_section}"
    yield f"/api/v1/papers/{paper}/versions"
    yield f"/api/v1/papers/{paper}/versions/1"
    yield f"/api/v1/papers/{paper}/comments"
    yield f"/api/v1/papers/{paper}/comments?limit=1"
    yield f"/api/v1/papers/{paper}/comments?section={secret}"
    yield f"/api/v1/papers/{paper}/comments?section={open_section}"
    for suffix in ("tallies", "proposals", "responses", "sign-offs", "report"):
        yield f"/api/v1/papers/{paper}/{suffix}"
    yield f"/api/v1/proposals/{world['proposal'].pk}"


def _fetch_all(client, url, seen):
    """The page and every page after it, following next_cursor."""
    while url and url not in seen:
        seen.add(url)
        response = client.get(url)
        yield url, response
        try:
            cursor = json.loads(response.content).get("next_cursor")
        except (ValueError, AttributeError):
            cursor = None
        url = f"{url.split('?')[0]}?cursor={cursor}" if cursor else None


def test_no_role_reads_restricted_text_hidden_comments_or_email_through_the_api(client, world):
    leaks, errors, fetched = [], [], 0
    for role in ROLES:
        client.logout()
        user = world["people"][role]
        if user.is_authenticated:
            client.force_login(user)
        seen = set()
        for start in _api_urls(world):
            for url, response in _fetch_all(client, start, seen):
                fetched += 1
                if response.status_code >= 500:
                    errors.append((role, url, response.status_code))
                body = response.content.decode()
                leaks += [(role, url, marker) for marker in MARKERS if marker in body]
    assert fetched >= len(ROLES) * 20
    assert errors == []
    assert leaks == []


def test_withheld_text_says_why_and_hidden_comments_are_tombstones(client, world):
    secret = client.get(f"/api/v1/sections/{world['secret'].pk}").json()
    assert secret["body_html"] is None
    assert secret["withheld"]["code"] == "restricted"
    assert secret["restriction"]["reason"]
    version = client.get(f"/api/v1/papers/{world['tree']['paper'].pk}/versions/1").json()
    assert [s["body_html"] is None for s in version["sections"]] == [True, False]

    threads = client.get(f"/api/v1/papers/{world['tree']['paper'].pk}/comments").json()["items"]
    [tombstone] = threads  # the comments on the restricted section are left out
    assert tombstone["hidden"]["reason"] == "Personal remarks."
    assert tombstone["text"] is None and tombstone["author_name"] is None
    assert [reply["text"] for reply in tombstone["replies"]] == ["A reply that stays."]


def test_a_proposal_on_restricted_text_is_refused_with_the_reason(client, world):
    for role in ROLES:
        client.logout()
        if world["people"][role].is_authenticated:
            client.force_login(world["people"][role])
        response = client.get(f"/api/v1/proposals/{world['proposal'].pk}")
        assert (response.status_code, response.json()["code"]) == (403, "restricted"), role
    client.force_login(world["editor"])  # who may read the section reads its proposal
    found = client.get(f"/api/v1/proposals/{world['proposal'].pk}").json()
    assert found["id"] == world["proposal"].pk and PROPOSAL in found["text"]
    assert client.get("/api/v1/proposals/999999").json()["code"] == "not_found"


def test_the_editor_reads_the_body_so_the_markers_are_findable(client, world):
    client.force_login(world["editor"])
    body = client.get(f"/api/v1/sections/{world['secret'].pk}").content.decode()
    assert BODY in body
    comments = client.get(f"/api/v1/papers/{world['tree']['paper'].pk}/comments").content.decode()
    assert COMMENT in comments and REPLY in comments
    assert HIDDEN not in comments  # hidden is hidden for everyone in the API
