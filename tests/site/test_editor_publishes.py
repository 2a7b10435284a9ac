"""Acceptance: the demo editor edits a section in the Wagtail admin, publishes, and the public sees it."""

import re

from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from consultation.blocks import TEXT_FEATURES
from consultation.demo import content
from consultation.models import ConsultationPage, SectionPage

NEW_TEXT = "Every shared record carries its purpose with it, and the purpose travels with every copy."
NEW_CLAUSE = "Data shared under this framework is never sold or licensed to anyone."
NEW_QUESTION = "Should the purpose label be visible to the person the data is about?"


def first_paragraph(section):
    """Plain text of the section's first paragraph as published now."""
    block = next(b for b in section.body if b.block_type == "paragraph")
    return re.sub(r"<[^>]+>", "", block.value.source)


def sign_in_to_admin(client, username):
    """Through the admin's own sign-in form, as a person would."""
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": username, "password": content.PASSWORD, "next": reverse("wagtailadmin_home")},
    )
    return response


def edit_form(section, *, title, restricted=False, reason="", category=""):
    data = nested_form_data(
        {
            "title": title,
            "slug": section.slug,
            "body": streamfield(
                [
                    ("paragraph", rich_text(f"<p>{NEW_TEXT}</p>", features=TEXT_FEATURES)),
                    (
                        "clauses",
                        {
                            "clauses": streamfield(
                                [("item", rich_text(f"<p>{NEW_CLAUSE}</p>", features=TEXT_FEATURES))]
                            )
                        },
                    ),
                    ("question", {"question": NEW_QUESTION, "guidance": ""}),
                ]
            ),
            "restriction_category": category,
            "restriction_reason": reason,
            "restriction_review_on": "",
        }
    )
    if restricted:
        data["restricted"] = "on"
    data["action-publish"] = "action-publish"
    return data


class TestEditorInTheAdmin(TestCase):
    """One load of the demo for the class; each test rolls back to it."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", verbosity=0)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        # The demo's Site was rolled back; Wagtail's cached site root paths were not.
        Site.clear_site_root_paths_cache()

    def section(self):
        consultation = ConsultationPage.objects.get(slug=content.CONSULTATION_SLUG)
        return SectionPage.objects.descendant_of(consultation).get(slug="safeguards")

    def test_demo_editor_edits_a_section_in_the_admin_and_the_public_page_shows_it(self):
        client, section = self.client, self.section()
        old_text = first_paragraph(section)
        response = sign_in_to_admin(client, "editor")
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
        edit_url = reverse("wagtailadmin_pages:edit", args=[section.pk])
        assert client.get(edit_url).status_code == 200

        response = client.post(edit_url, edit_form(section, title="Safeguards that travel with the data"))

        assert response.status_code == 302, response.content.decode()[:2000]
        section = SectionPage.objects.get(pk=section.pk)
        assert section.title == "Safeguards that travel with the data"
        assert section.live_revision.user.username == "editor"
        assert [block.block_type for block in section.body] == ["paragraph", "clauses", "question"]

        client.logout()
        public = client.get(section.get_permalink(), follow=True).content.decode()
        assert "Safeguards that travel with the data" in public
        assert NEW_TEXT in public
        assert NEW_CLAUSE in public
        assert NEW_QUESTION in public
        assert old_text not in public  # the old text is gone
        paper = client.get(section.paper.url).content.decode()
        assert "5. Safeguards that travel with the data" in paper

    def test_restricting_in_the_admin_without_a_reason_is_refused_and_nothing_is_published(self):
        client, section = self.client, self.section()
        old_text = first_paragraph(section)
        before = (section.live_revision_id, section.title)
        sign_in_to_admin(client, "editor")

        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[section.pk]),
            edit_form(section, title="Changed title", restricted=True),
        )

        assert response.status_code == 200  # the form again, with the errors
        html = response.content.decode()
        assert "State the reason: it is shown publicly." in html
        assert "Choose a category for the restriction." in html
        section = SectionPage.objects.get(pk=section.pk)
        assert (section.live_revision_id, section.title) == before
        assert old_text in client.get(section.url).content.decode()

    def test_people_without_an_editor_role_cannot_reach_the_admin_or_change_a_section(self):
        section = self.section()
        edit_url = reverse("wagtailadmin_pages:edit", args=[section.pk])
        # Group members, the public, and someone whose sign-in failed (so anonymous).
        for username in ["public", "costs-member1", "safeguards-convenor", "no-such-user"]:
            client = Client()
            sign_in_to_admin(client, username)
            response = client.get(reverse("wagtailadmin_home"))
            assert response.status_code == 302, username
            assert response["Location"].startswith(reverse("wagtailadmin_login")), username

            assert client.get(edit_url).status_code in (302, 403), username
            response = client.post(edit_url, edit_form(section, title="Hijacked"))

            assert response.status_code in (302, 403), username
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("wagtailadmin_login")), username
            assert SectionPage.objects.get(pk=section.pk).title == "Safeguards", username
            assert "Hijacked" not in client.get(section.url).content.decode(), username

    def test_the_editor_cannot_publish_the_home_page(self):
        client = self.client
        home = Page.objects.get(depth=2).specific
        sign_in_to_admin(client, "editor")

        client.post(
            reverse("wagtailadmin_pages:edit", args=[home.pk]),
            {"title": "Taken over", "slug": home.slug, "intro": rich_text("<p>x</p>"), "action-publish": "1"},
        )

        home.refresh_from_db()
        assert home.title == content.HOME_TITLE
        assert "Taken over" not in Client().get("/").content.decode()
