"""Open by default: a restricted body never reaches the public; its heading and reason always do."""

import re
from collections import deque

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Page

from consultation.models import RestrictionCategory, SectionPage
from tests.support.factories import (
    ConsultationPageFactory,
    MembershipFactory,
    SectionPageFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.support.people import editor_of
from tests.support.trees import RESTRICTION_REASON as REASON
from tests.support.trees import build_site_tree, restrict

pytestmark = pytest.mark.django_db

MARKER = "Quillfeather threshold is seventeen"
PAPER_MARKER = "Marrowbone paper summary"
EDITOR_NOTE = "You can see this restricted text because you can edit it"


@pytest.fixture
def tree():
    group = WorkingGroupFactory()
    tree = build_site_tree(sections=3, groups=[group])
    tree["group"] = group
    secret = tree["sections"][1]
    secret.body = [("paragraph", f"<p>{MARKER}.</p>")]
    tree["secret"] = restrict(secret)
    return tree


def outsiders(tree):
    """Everyone who must not read a restricted body, signed in or not."""
    member = MembershipFactory(group=tree["group"], role="member").user
    convenor = MembershipFactory(group=tree["group"], role="convenor").user
    other_consultation = ConsultationPageFactory(parent=tree["index"])
    return {
        "anonymous": None,
        "verified public user": UserFactory(username="citizen"),
        "invited member": member,
        "invited convenor": convenor,
        "staff without page permissions": UserFactory(username="staffer", is_staff=True),
        "editor of another consultation": editor_of(other_consultation, username="other-editor"),
    }


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def public_urls(tree):
    secret = tree["secret"]
    return [
        "/",
        tree["index"].url,
        tree["consultation"].url,
        tree["paper"].url,
        secret.url,
        secret.get_permalink(),
    ]


# ---------------------------------------------------------------- Restrictable.clean


@pytest.mark.parametrize(
    "category, reason, missing",
    [
        ("", "", {"restriction_reason", "restriction_category"}),
        (RestrictionCategory.SECURITY, "", {"restriction_reason"}),
        (RestrictionCategory.SECURITY, "   \n ", {"restriction_reason"}),
        ("", REASON, {"restriction_category"}),
    ],
)
def test_restricting_without_a_reason_and_category_is_refused(category, reason, missing):
    section = SectionPage(
        title="S", slug="s", restricted=True, restriction_category=category, restriction_reason=reason
    )
    with pytest.raises(ValidationError) as refused:
        section.clean()
    assert set(refused.value.message_dict) == missing


def test_restricting_with_a_reason_and_category_is_accepted():
    SectionPage(
        title="S",
        slug="s",
        restricted=True,
        restriction_category=RestrictionCategory.PERSONAL_DATA,
        restriction_reason=REASON,
    ).clean()


def test_an_open_section_needs_no_reason():
    SectionPage(title="S", slug="s").clean()


def test_a_restricted_section_without_reason_is_not_saved(site_tree):
    paper = site_tree["paper"]
    before = SectionPage.objects.count()
    with pytest.raises(ValidationError):
        paper.add_child(instance=SectionPage(title="Hidden", slug="hidden", restricted=True))
    assert SectionPage.objects.count() == before
    assert not Page.objects.filter(slug="hidden").exists()


# ---------------------------------------------------------------- no public response carries the body


@pytest.mark.parametrize(
    "who",
    [
        "anonymous",
        "verified public user",
        "invited member",
        "invited convenor",
        "staff without page permissions",
        "editor of another consultation",
    ],
)
def test_restricted_body_is_in_no_public_page_for_anyone_who_cannot_edit_it(client, tree, who):
    user = outsiders(tree)[who]
    as_user(client, user)

    for url in public_urls(tree):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode(), f"{who} read the restricted body at {url}"

    section_page = client.get(tree["secret"].url).content.decode()
    assert tree["secret"].title in section_page
    assert REASON in section_page
    assert "National security or crime prevention" in section_page
    assert '<time datetime="2027-05-01">1 May 2027</time>' in section_page
    assert EDITOR_NOTE not in section_page


def test_paper_page_keeps_the_restricted_heading_and_reason_and_the_other_bodies(client, tree):
    html = client.get(tree["paper"].url).content.decode()

    secret = tree["secret"]
    assert f"2. {secret.title}" in html
    assert REASON in html
    assert MARKER not in html
    for open_section in (tree["sections"][0], tree["sections"][2]):
        assert f"Body text of {open_section.title}." in html


def test_permalink_of_a_restricted_section_lands_on_the_notice(client, tree):
    response = client.get(tree["secret"].get_permalink(), follow=True)

    assert response.redirect_chain == [(tree["secret"].url, 302)]
    assert REASON in response.content.decode()
    assert MARKER not in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "invited member"])
def test_admin_preview_draft_and_revision_views_refuse_people_who_cannot_edit(client, tree, who):
    secret = tree["secret"]
    as_user(client, outsiders(tree)[who])
    revision = secret.latest_revision
    urls = [
        reverse("wagtailadmin_pages:preview_on_edit", args=[secret.pk]),
        reverse("wagtailadmin_pages:view_draft", args=[secret.pk]),
        reverse("wagtailadmin_pages:revisions_view", args=[secret.pk, revision.pk]),
        reverse("wagtailadmin_pages:edit", args=[secret.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")
        assert MARKER not in response.content.decode()


def test_admin_preview_refuses_an_editor_of_another_consultation(client, tree):
    client.force_login(outsiders(tree)["editor of another consultation"])
    secret = tree["secret"]

    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[secret.pk]))

    assert response.status_code in (302, 403)
    assert MARKER not in response.content.decode()


def test_restricted_body_is_not_in_the_search_index(tree):
    secret = tree["secret"]

    assert list(Page.objects.live().search("Quillfeather")) == []
    assert list(SectionPage.objects.live().search("Quillfeather")) == []
    # The heading is searchable: the index works, the body is simply never in it.
    assert secret.pk in [p.pk for p in SectionPage.objects.live().search(secret.title)]


def _links(html):
    return re.findall(r'href="(/[^"#]*)', html)


@pytest.mark.parametrize("who", ["anonymous", "invited member"])
def test_no_page_reachable_from_the_home_page_carries_the_restricted_body(client, tree, who):
    """Crawl every same-site link a visitor can follow (feeds, reports, versions and
    anything added later included) and look for the restricted text."""
    as_user(client, outsiders(tree)[who])
    seen, queue = set(), deque(["/"])
    while queue and len(seen) < 400:
        url = queue.popleft()
        if url in seen or url.startswith(("/admin/", "/static/", "/accounts/logout")):
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        body = response.content.decode(errors="replace")
        assert MARKER not in body, f"{who} read the restricted body at {url}"
        if "html" in response.get("Content-Type", ""):
            queue.extend(link for link in _links(body) if link not in seen)

    assert tree["secret"].url in seen
    assert tree["secret"].get_permalink() in seen


# ---------------------------------------------------------------- a restricted paper


@pytest.fixture
def restricted_paper():
    tree = build_site_tree(sections=3)
    paper = tree["paper"]
    paper.summary = f"<p>{PAPER_MARKER}.</p>"
    tree["paper"] = restrict(paper, category=RestrictionCategory.IN_PREPARATION, reason="Not ready yet.")
    return tree


def test_a_restricted_paper_hides_its_summary_and_every_section_body(client, restricted_paper):
    tree = restricted_paper
    bodies = [f"Body text of {s.title}." for s in tree["sections"]]
    urls = [tree["consultation"].url, tree["paper"].url]
    urls += [s.url for s in tree["sections"]] + [s.get_permalink() for s in tree["sections"]]

    for url in urls:
        html = client.get(url, follow=True).content.decode()
        assert PAPER_MARKER not in html, url
        for body in bodies:
            assert body not in html, url

    paper_html = client.get(tree["paper"].url).content.decode()
    assert "This paper is restricted" in paper_html
    assert "Not ready yet." in paper_html
    for section in tree["sections"]:
        assert section.title in paper_html
        section_html = client.get(section.url).content.decode()
        assert "This paper is restricted" in section_html
        assert "Not ready yet." in section_html


def test_a_restricted_paper_is_readable_by_its_editor(client, restricted_paper):
    client.force_login(editor_of(restricted_paper["consultation"]))

    html = client.get(restricted_paper["paper"].url).content.decode()

    assert PAPER_MARKER in html
    for section in restricted_paper["sections"]:
        assert f"Body text of {section.title}." in html
    assert EDITOR_NOTE in html


# ---------------------------------------------------------------- editors


def test_an_editor_of_the_consultation_reads_the_body_with_a_note(client, tree):
    client.force_login(editor_of(tree["consultation"]))

    for url in (tree["paper"].url, tree["secret"].url):
        html = client.get(url).content.decode()
        assert MARKER in html
        assert EDITOR_NOTE in html
    # The note marks only restricted text.
    open_html = client.get(tree["sections"][0].url).content.decode()
    assert EDITOR_NOTE not in open_html


def test_an_editor_sees_the_body_in_the_admin_preview(client, tree):
    client.force_login(editor_of(tree["consultation"]))

    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[tree["secret"].pk]))

    assert response.status_code == 200
    assert MARKER in response.content.decode()


def test_an_unrestricted_section_in_an_open_paper_shows_no_notice(client, tree):
    html = client.get(tree["sections"][0].url).content.decode()

    assert "is restricted" not in html
    assert f"Body text of {tree['sections'][0].title}." in html


def test_restricting_a_section_later_removes_its_body_from_public_pages(client, site_tree):
    section = SectionPageFactory(parent=site_tree["paper"], body=[("paragraph", f"<p>{MARKER}</p>")])
    assert MARKER in client.get(section.url).content.decode()

    restrict(section)

    assert MARKER not in client.get(section.url).content.decode()
    assert MARKER not in client.get(site_tree["paper"].url).content.decode()
