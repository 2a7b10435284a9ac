"""No restricted text through any route: a crawl of every URL pattern as each role.

A consultation in review has a restricted section. Its body, a comment and a
reply on it, and a competing proposal for it each carry a leak marker. Every
URL pattern of the project (ids filled with these objects; the read API's
`/api/v1/` routes among them), every sub-page of the paper and the
consultation, the report's files, the record's JSON and feed, the search for
the words around each marker, and every admin URL pattern, are fetched as anonymous, a member of the
public, a member, an observer, a former member, a convenor and a comment
moderator. No response may contain a marker. (Editors of the consultation do
read restricted text, by design, so they are not in the crawl.)
"""

import io
import re
import zipfile
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from consultation.comments.services import comment_create
from consultation.models import (
    ConsultationPage,
    PolicyPaperPage,
    ProposalKind,
    RestrictionCategory,
    SectionPage,
)
from consultation.proposals.services import proposal_create
from consultation.versions.services import version_publish
from jobs.models import Job
from tests.support.contributions import react
from tests.support.people import comment_moderator, editor_of, everyone_around, member_of
from tests.support.trees import groups_tree

pytestmark = pytest.mark.django_db

MARKERS = ["LEAKBODY7", "LEAKCOMMENT7", "LEAKREPLY7", "LEAKPROPOSAL7"]
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
ROLES = ["anonymous", "public", "member", "observer", "former member", "convenor", "moderator"]


@pytest.fixture
def world():
    tree = groups_tree(stage="review", groups=1, sections=2)
    group = tree["groups"][0]
    member = member_of(group)
    secret = SectionPage.objects.get(pk=tree["sections"][0].pk)
    secret.body = [("paragraph", f"<p>The clause that names the site: {MARKERS[0]}.</p>")]
    secret.save_revision().publish()
    secret = SectionPage.objects.get(pk=secret.pk)
    # Votes on both sections, and a version published while the section was still open, so the
    # per-vote exports (current text and version 1) have the restricted section to leave out.
    react([member], secret, "agree")
    react([member], tree["sections"][1], "disagree")
    version = version_publish(
        paper=PolicyPaperPage.objects.get(pk=tree["paper"].pk),
        actor=editor_of(tree["consultation"]),
        change_note="First version.",
    )
    comment = comment_create(author=tree["convenors"][0], target=secret, text=f"About it: {MARKERS[1]}")
    reply = comment_create(author=member, target=secret, text=f"Agreed: {MARKERS[2]}", parent=comment)
    proposal = proposal_create(
        author=member,
        section=secret,
        kind=ProposalKind.REPLACEMENT,
        text=f"Instead say {MARKERS[3]}.",
        rationale=f"Because {MARKERS[3]}.",
    )
    proposal_comment = comment_create(
        author=tree["convenors"][0], target=proposal, text=f"On it {MARKERS[1]}"
    )
    secret.restricted = True
    secret.restriction_category = RestrictionCategory.SECURITY
    secret.restriction_reason = "Names a site under review."
    secret.restriction_review_on = date(2027, 1, 1)
    secret.save_revision().publish()

    convenor, moderator = tree["convenors"][0], comment_moderator()
    people = everyone_around(group, member=member, convenor=convenor, moderator=moderator)
    return {
        "tree": tree,
        "people": people,
        "ids": {
            "section_id": [secret.pk],
            "comment_id": [comment.pk, reply.pk, proposal_comment.pk],
            "proposal_id": [proposal.pk],
            "paper_id": [tree["paper"].pk],
            "consultation_id": [tree["consultation"].pk],
            "target_id": [secret.pk, comment.pk, reply.pk, proposal.pk],
            "page_id": [secret.pk, tree["paper"].pk],
            "pk": [proposal.pk, comment.pk],
            "frozen_id": [1],
            "number": [version.number],
            # The background jobs the comments above started (their emails among them).
            "job_id": list(Job.objects.values_list("pk", flat=True)) or [1],
        },
        "slugs": {"slug": group.slug, "kind": ["section", "comment", "proposal"]},
    }


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _urls(world):
    """Every URL pattern with each of its parameters filled with the world's objects."""
    for route in _patterns():
        if route.startswith("^") or "(?P<" in route or "\\" in route:
            continue  # Wagtail's regex routes: the pages are crawled below
        if route == "admin/failwhale/":
            continue  # Wagtail's page that raises on purpose, to test error reporting
        urls = ["/" + route]
        for conv, name in PARAM.findall(route):
            if conv in ("id", "int"):
                values = world["ids"].get(name, [1])
            elif name == "kind":
                values = world["slugs"]["kind"]
            elif conv == "slug":
                values = [world["slugs"]["slug"]]
            elif name in ("pk", "object_id", "app_label", "model_name") or name.endswith("_id"):
                values = world["ids"].get(name, ["1"])  # Wagtail's admin routes name ids as strings
            else:
                values = ["not-a-token"]
            pattern = f"<{conv}:{name}>" if conv else f"<{name}>"
            urls = [url.replace(pattern, str(value), 1) for url in urls for value in values]
        yield from urls


def _pages(world):
    paper = PolicyPaperPage.objects.get(pk=world["tree"]["paper"].pk)
    consultation = ConsultationPage.objects.get(pk=world["tree"]["consultation"].pk)
    sections = SectionPage.objects.child_of(paper)
    yield "/"
    yield consultation.url
    yield paper.url
    for section in sections:
        yield section.url
        yield section.url + "?page=2"  # threads are paged
    for sub in (
        "comments/",
        "comments/?page=2",
        "versions/",
        "versions/compare/",
        "report/",
        "report.csv",
        "report.json",
        "report/?fragment=body",
    ):
        yield paper.url + sub
    for sub in ("record/", "record/json/", "record/feed/", "restrictions/"):
        yield consultation.url + sub
    # The per-vote exports with comments and proposals as statements (the plain ones are URL patterns).
    for url in [u for u in _urls(world) if "/exports/" in u]:
        yield url + "?statements=all"
    # The search, asked for words next to each marker (the page repeats the query, so not the marker).
    for words in ("clause names site", "About it", "Agreed", "Instead say", "Because", "On it"):
        yield f"/search/?q={words.replace(' ', '+')}"
        yield f"/search/?q={words.replace(' ', '+')}&type=comment&consultation={consultation.pk}"
    # The read API's lists with their filters (the routes themselves are crawled above).
    section = world["ids"]["section_id"][0]
    yield f"/api/v1/papers/{paper.pk}/comments?section={section}"
    yield f"/api/v1/papers/{paper.pk}/comments?limit=1"


def _text(response):
    """The response as text; a zip (the per-vote exports) as the text of every file in it."""
    if response.get("Content-Type") == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist())
    return response.content.decode(errors="replace")


def test_the_crawl_finds_no_restricted_text_for_any_role(client, world):
    urls = sorted(set(_urls(world))) + list(_pages(world))
    assert len(urls) > 60  # the crawl reached the project's routes
    # The author's pages for each comment (the convenor wrote the restricted ones); following a section.
    comment_id, section_id = world["ids"]["comment_id"][0], world["ids"]["section_id"][0]
    for own in (
        f"/consultation/comments/{comment_id}/edit/",
        f"/consultation/comments/{comment_id}/withdraw/",
    ):
        assert own in urls
    assert f"/consultation/sections/{section_id}/follow/" in urls
    assert "/consultation/sections/unfollow/not-a-token/" in urls
    client.raise_request_exception = False
    leaks, errors, exports, fetched = [], [], [], 0
    for role in ROLES:
        client.logout()
        user = world["people"][role]
        if user.is_authenticated:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            fetched += 1
            if "/exports/" in url:
                exports.append((role, url, response.status_code))
            if response.status_code >= 500:
                errors.append((role, url, response.status_code))
            body = _text(response)
            for marker in MARKERS:
                if marker in body:
                    leaks.append((role, url, response.status_code, marker))
    assert fetched > 400
    assert leaks == []
    assert errors == [], errors
    # The per-vote exports were read, not refused: current text, version 1 and the consultation.
    assert len({url for _, url, _ in exports}) == 30
    assert {status for _, _, status in exports} == {200}


def test_the_editor_does_read_it_so_the_markers_are_findable(client, world):
    """The crawl would catch a leak: the same markers are on the pages an editor sees."""
    client.force_login(editor_of(world["tree"]["consultation"]))
    section = SectionPage.objects.get(pk=world["ids"]["section_id"][0])
    body = client.get(section.url).content.decode()
    assert MARKERS[0] in body and MARKERS[1] in body and MARKERS[2] in body
