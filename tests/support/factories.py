"""Factories for test data, one per model the tests create. Page trees are in `trees`."""

import factory
import wagtail_factories
from django.contrib.auth import get_user_model

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
