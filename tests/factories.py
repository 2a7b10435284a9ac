"""Factories for test data. Page trees are built with wagtail-factories."""

import factory
import wagtail_factories
from django.conf import settings
from django.contrib.auth import get_user_model
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from consultation.models import ConsultationIndexPage, ConsultationPage, PolicyPaperPage, SectionPage
from core.models import ContentPage, HomePage
from workinggroups.models import Membership, Organisation, WorkingGroup

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.Faker("name")
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.CHARITY


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    remit = "Examines the draft."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(WorkingGroupFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Open Policy"


class ContentPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ContentPage

    title = "Accessibility statement"
    slug = "accessibility"
    body = "<p>We aim to meet WCAG 2.2 AA.</p>"


class ConsultationIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ConsultationIndexPage

    title = "Consultations"
    slug = "consultations"


class ConsultationPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ConsultationPage

    title = factory.Sequence(lambda n: f"Consultation {n}")
    summary = "<p>What this consultation is about.</p>"
    run_by = "Policy team"
    current_stage = "review"


class PolicyPaperPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = PolicyPaperPage

    title = factory.Sequence(lambda n: f"Paper {n}")
    summary = "<p>A summary of the paper.</p>"


class SectionPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SectionPage

    title = factory.Sequence(lambda n: f"Section {n}")
    body = factory.LazyAttribute(lambda o: [("paragraph", f"<p>Body text of {o.title}.</p>")])


def ensure_root():
    """Transactional tests flush Wagtail's root page, Site and Locale: recreate them."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root")
    return root


def build_site_tree(*, sections=3, stage="review", groups=()):
    """Home → Consultations → Consultation → Paper → sections, served by the default Site."""
    root = ensure_root()
    home = HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    ContentPageFactory(parent=home)
    index = ConsultationIndexPageFactory(parent=home)
    consultation = ConsultationPageFactory(parent=index, current_stage=stage)
    if groups:
        consultation.invited_groups.set(groups)
        consultation.save_revision().publish()
    paper = PolicyPaperPageFactory(parent=consultation)
    section_pages = [SectionPageFactory(parent=paper) for _ in range(sections)]
    return {
        "home": home,
        "index": index,
        "consultation": consultation,
        "paper": paper,
        "sections": section_pages,
    }
