"""Working groups in a real browser: the group page, accepting an invitation,
recording a sign-off and registering interest. axe checks every state a person sees."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from consultation.models import Subscription
from tests.support.contributions import sign_off
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.people import member_of
from tests.support.trees import groups_tree
from workinggroups.models import Membership, Position, SignOff

pytestmark = pytest.mark.browser


def test_group_page_shows_members_consultations_and_signoffs(asgi_server, page, axe):
    tree = groups_tree(stage="signoff", groups=1)
    group = tree["groups"][0]
    member_of(
        group, role="observer", display_name="Olu Observer", organisation=OrganisationFactory(name="Watchdog")
    )
    sign_off(tree, 0, Position.RESERVATIONS, "Retention needs a limit.")

    page.goto(f"{asgi_server.url}/groups/")
    axe(page)
    page.get_by_role("link", name=group.name).click()
    assert page.get_by_role("heading", level=1).inner_text() == group.name
    members = page.get_by_role("table", name="Members")
    assert "Olu Observer" in members.inner_text() and "Watchdog" in members.inner_text()
    consultations = page.get_by_role("list", name="Consultations it takes part in")
    assert tree["consultation"].title in consultations.inner_text()
    signoffs = page.get_by_role("list", name="Sign-offs")
    assert "Endorse with reservations" in signoffs.inner_text()
    assert "Retention needs a limit." in signoffs.inner_text()
    axe(page)


def test_convenor_invites_and_the_invitee_signs_in_and_accepts(asgi_server, new_context, axe, browser_login):
    tree = groups_tree(stage="review", groups=1)
    group, convenor = tree["groups"][0], tree["convenors"][0]
    invitee = UserFactory(username="rin", email="rin@example.org", display_name="Rin Okafor")

    convenor_page = new_context().new_page()
    browser_login(convenor_page, asgi_server, convenor.username)
    convenor_page.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    convenor_page.get_by_role("link", name="Manage members and invitations").click()
    axe(convenor_page)

    # A mistake first: the error is explained and the text stays.
    convenor_page.get_by_label("Email address").fill("rin at example")
    convenor_page.get_by_role("button", name="Send invitation").click()
    alert = convenor_page.get_by_role("alert")
    assert "Enter an email address in the correct format" in alert.inner_text()
    assert convenor_page.get_by_label("Email address").input_value() == "rin at example"
    axe(convenor_page)

    convenor_page.get_by_label("Email address").fill("rin@example.org")
    convenor_page.get_by_label("Observer").check()
    convenor_page.get_by_label("Or an organisation that is not listed").fill("Patients Union")
    convenor_page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent to rin@example.org" in convenor_page.locator(".messages").inner_text()
    assert (
        "rin@example.org"
        in convenor_page.get_by_role("table", name="Invitations not yet accepted").inner_text()
    )
    axe(convenor_page)

    link = re.search(r"https?://\S+/groups/invitations/\S+/", mail.outbox[-1].body).group(0)
    invitee_page = new_context().new_page()
    invitee_page.goto(f"{asgi_server.url}{urlsplit(link).path}")
    assert group.name in invitee_page.get_by_role("heading", level=1).inner_text()
    axe(invitee_page)
    invitee_page.get_by_role("link", name="Sign in to accept").click()
    invitee_page.get_by_label("Username").fill(invitee.username)
    invitee_page.get_by_label("Password").fill("test-password-123")
    invitee_page.get_by_role("button", name="Sign in").click()
    invitee_page.get_by_role("button", name=f"Accept and join {group.name}").wait_for()
    axe(invitee_page)
    invitee_page.get_by_role("button", name=f"Accept and join {group.name}").click()

    assert f"Welcome to {group.name}" in invitee_page.locator(".messages").inner_text()
    members = invitee_page.get_by_role("table", name="Members").inner_text()
    assert "Rin Okafor" in members and "Patients Union" in members and "Observer" in members
    axe(invitee_page)
    membership = Membership.objects.current().get(user=invitee, group=group)
    assert membership.role == "observer"


def test_convenor_records_a_signoff_and_it_shows_publicly(asgi_server, new_context, axe, browser_login):
    tree = groups_tree(stage="signoff", groups=2)
    group, convenor, paper = tree["groups"][0], tree["convenors"][0], tree["paper"]
    page = new_context().new_page()
    browser_login(page, asgi_server, convenor.username)
    page.goto(f"{asgi_server.url}{paper.url}")
    signoffs = page.get_by_role("region", name="Working-group sign-off")
    assert "0 of 2 invited working groups have recorded a position" in signoffs.inner_text()
    signoffs.get_by_role("link", name="Record your group’s position").click()
    axe(page)

    page.get_by_label("Do not endorse").check()
    page.get_by_role("button", name="Record and publish the position").click()
    assert "Give a statement" in page.get_by_role("alert").inner_text()
    axe(page)

    page.get_by_label("Statement", exact=True).fill("The safeguards in section 2 are not enough.")
    page.get_by_text("Positions on individual sections (optional)").click()
    page.get_by_label(f"Position on section 2, {tree['sections'][1].title}").select_option("do_not_endorse")
    page.get_by_label(f"Statement on section 2, {tree['sections'][1].title}").fill(
        "No independent complaint route."
    )
    page.get_by_role("button", name="Record and publish the position").click()

    assert "is recorded and published" in page.locator(".messages").inner_text()
    signoffs = page.get_by_role("region", name="Working-group sign-off")
    text = signoffs.inner_text()
    assert "1 of 2 invited working groups has recorded a position" in text
    assert "Do not endorse" in text and "The safeguards in section 2 are not enough." in text
    axe(page)
    assert SignOff.objects.get().group == group

    public = new_context().new_page()
    public.goto(f"{asgi_server.url}{tree['consultation'].url}")
    table = public.get_by_role("table", name="Positions on the current version of each paper")
    assert "Do not endorse" in table.inner_text() and "Not yet recorded" in table.inner_text()
    axe(public)


def test_register_interest_confirm_and_unsubscribe(asgi_server, page, axe):
    tree = groups_tree(stage="review", groups=1)
    consultation = tree["consultation"]
    page.goto(f"{asgi_server.url}{consultation.url}")
    axe(page)
    form = page.get_by_role("region", name="Register your interest")
    form.get_by_label("Email address").fill("not-an-address")
    form.get_by_role("button", name="Register your interest").click()
    assert "Enter an email address in the correct format" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Email address").input_value() == "not-an-address"
    axe(page)

    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_role("button", name="Register your interest").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    axe(page)

    confirm = re.search(r"https?://\S+/updates/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(f"{asgi_server.url}{urlsplit(confirm).path}")
    axe(page)
    page.get_by_role("button", name="Confirm and start updates").click()
    assert "You will get updates" in page.get_by_role("heading", level=1).inner_text()
    axe(page)
    subscription = Subscription.objects.get()
    assert subscription.status == "confirmed"

    page.goto(f"{asgi_server.url}/consultation/updates/unsubscribe/{subscription.make_token('unsubscribe')}/")
    axe(page)
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You have unsubscribed"
    axe(page)
    assert not Subscription.objects.exists()
