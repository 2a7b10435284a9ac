"""Who an account is: one per mailbox, never revealed through the forms, and
names that neither hide characters nor pose as staff."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import IntegrityError, transaction

from accounts.names import reserved_name_reason, strip_invisible
from accounts.services import email_change_token, email_verification_token
from core.emails import email_key
from tests.support.accounts import SITE, link_in, signup_data
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

RLO, ZWSP, ZWJ, LRI, BOM = "\u202e", "\u200b", "\u200d", "\u2066", "\ufeff"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


# ---------------------------------------------------------------- which mailbox


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Alex@Example.org", "alex@example.org"),
        ("alex+consultation@example.org", "alex@example.org"),
        ("a.l.e.x+1@googlemail.com", "alex@gmail.com"),
        ("A.Lex@GMAIL.com", "alex@gmail.com"),
        ("a.lex@example.org", "a.lex@example.org"),  # dots matter elsewhere
        ("  alex@example.org.  ", "alex@example.org"),
        ("+tag@example.org", ""),
        ("not-an-address", ""),
    ],
)
def test_addresses_are_keyed_by_the_mailbox_they_reach(typed, key):
    assert email_key(typed) == key


def test_the_database_refuses_a_second_confirmed_account_for_one_mailbox():
    UserFactory(email="alex@gmail.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="A.L.E.X+2@googlemail.com", email_verified=True)
    UserFactory(email="a.lex+3@gmail.com", email_verified=False)  # unconfirmed: allowed by the database


# ---------------------------------------------------------------- sign-up does not tell


@pytest.mark.parametrize("spelling", ["alex@gmail.com", "A.Lex+vote2@googlemail.com"])
def test_signing_up_with_a_mailbox_that_has_an_account_looks_the_same_and_tells_its_owner(
    client, django_capture_on_commit_callbacks, spelling
):
    owner = UserFactory(username="alex", email="alex@gmail.com")
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post("/accounts/signup/", signup_data(username="sockpuppet", email=spelling))
        fresh = client.post("/accounts/signup/", signup_data(username="newcomer", email="new@example.org"))

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert client.get(taken["Location"]).content == client.get(fresh["Location"]).content
    assert not User.objects.filter(username="sockpuppet").exists()
    notice, confirm = mail.outbox
    assert notice.to == [owner.email] and "username: alex" in notice.body
    assert "/accounts/password/reset/" in notice.body
    assert confirm.to == ["new@example.org"]


def test_a_second_account_cannot_confirm_a_mailbox_already_confirmed(client):
    UserFactory(email="alex@example.org")
    # Made before the first confirmed (or by the admin): its link must still not confirm it.
    twin = UserFactory(email="Alex+2@example.org", email_verified=False)
    response = client.post(f"/accounts/verify/{email_verification_token(twin)}/")
    assert response.status_code == 409 and "Another account already uses this mailbox" in response.text
    twin.refresh_from_db()
    assert not twin.email_verified


def test_password_reset_finds_the_account_by_mailbox_and_writes_to_its_own_address(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="alex@gmail.com")
    with django_capture_on_commit_callbacks(execute=True):  # the email is a job started on commit
        client.post("/accounts/password/reset/", {"email": "A.lex+reset@googlemail.com"})
    assert [m.to for m in mail.outbox] == [["alex@gmail.com"]]


# ---------------------------------------------------------------- email change does not tell


def test_changing_to_a_mailbox_that_has_an_account_looks_the_same_and_tells_its_owner(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="owner@example.org")
    user = UserFactory(email="me@example.org", display_name="Alice")
    client.force_login(user)
    data = {"display_name": "Alice", "organisation": "", "pseudonym": ""}

    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post("/accounts/profile/", data | {"email": "Owner+x@example.org"}, follow=True)
        fresh = client.post("/accounts/profile/", data | {"email": "spare@example.org"}, follow=True)

    def message(response):
        return re.search(r"Saved\. We have sent a link to \S+ follow it", response.text)

    assert taken.status_code == fresh.status_code == 200 and message(taken) and message(fresh)
    user.refresh_from_db()
    assert user.email == "me@example.org"
    assert [m.to for m in mail.outbox] == [[owner.email], ["spare@example.org"]]
    assert "Someone just tried" in mail.outbox[0].body


def test_an_email_change_link_is_refused_if_the_mailbox_was_taken_meanwhile(client):
    user = UserFactory(email="me@example.org")
    token = email_change_token(user, "new@example.org")
    UserFactory(email="new+mine@example.org")
    response = client.post(f"/accounts/email/confirm/{token}/")
    assert response.status_code == 409
    user.refresh_from_db()
    assert user.email == "me@example.org"


@pytest.mark.parametrize("tamper", ["forged", "address-changed"])
def test_email_change_links_that_are_forged_or_stale_do_nothing(client, tamper):
    user = UserFactory(email="me@example.org")
    token = email_change_token(user, "new@example.org")
    if tamper == "forged":
        token = token[:-4] + "abcd"
    else:
        user.email = "other@example.org"
        user.save()
    for method in (client.get, client.post):
        assert method(f"/accounts/email/confirm/{token}/").status_code == 400
    user.refresh_from_db()
    assert user.email != "new@example.org"


def test_a_confirmation_link_opened_by_a_mail_scanner_confirms_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", signup_data())
    link = link_in(mail.outbox[0].body).removeprefix(SITE)
    for _ in range(3):
        assert client.get(link).status_code == 200
        assert client.head(link).status_code == 200
    assert not User.objects.get(username="newperson").email_verified


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (f"Sam{RLO}rotaredom", "Samrotaredom"),
        (f"Al{ZWSP}ex Mor{ZWJ}gan", "Alex Morgan"),
        (f"{LRI}Alex{BOM}", "Alex"),
        ("Alex\x00\x07 Morgan", "Alex Morgan"),
        ("Alex\n\n   Morgan", "Alex Morgan"),
        ("Zoë Ōkubo-Ñúñez", "Zoë Ōkubo-Ñúñez"),
    ],
)
def test_invisible_and_control_characters_are_removed_from_names(typed, kept):
    assert strip_invisible(typed) == kept


@pytest.mark.parametrize(
    "name",
    [
        "Sam Whitfield (moderator)",
        "The Moderation Team",
        "Site Admin",
        "editor",
        "M.O.D.E.R.A.T.O.R",
        "Open Policy",
        "openpolicy team",
        "Sam Whitfield",
        "Dr SAM  WHITFIELD",
        f"Sam{ZWSP} Whitfield",
        "\u0410dmin",  # Cyrillic capital A
        "S\u0430m Wh\u0456tfield",  # Cyrillic a and i
    ],
)
def test_names_that_pose_as_staff_are_refused(client, name):
    staff = UserFactory(display_name="Sam Whitfield")
    staff.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    response = client.post("/accounts/signup/", signup_data(display_name=name))
    assert response.status_code == 400, name
    assert "kept for" in response.text or "too close to the name of a member of staff" in response.text
    assert not User.objects.filter(username="newperson").exists()


@pytest.mark.parametrize("name", ["Badminton Club", "Credit Union member", "Sam", "Moderate voice"])
def test_ordinary_names_are_allowed(name):
    staff = UserFactory(display_name="Sam Whitfield", is_staff=True)
    assert reserved_name_reason(name, user=None) is None, (name, staff)


def test_a_pseudonym_may_not_pose_as_staff_but_staff_may_say_who_they_are(client):
    user = UserFactory(display_name="Alex")
    client.force_login(user)
    data = {"display_name": "Alex", "organisation": "", "email": user.email}
    response = client.post("/accounts/profile/", data | {"pseudonym": "Admin", "use_pseudonym": "on"})
    assert response.status_code == 400 and "kept for staff" in response.text

    staff = UserFactory(display_name="Sam Whitfield", is_staff=True)
    client.force_login(staff)
    data = {"display_name": "Sam Whitfield (moderator)", "organisation": "", "email": staff.email}
    assert client.post("/accounts/profile/", data | {"pseudonym": ""}).status_code == 302


def test_names_and_organisations_are_saved_without_invisible_characters(client):
    user = UserFactory()
    client.force_login(user)
    data = {
        "display_name": f"Al{ZWSP}ex {RLO}Morgan",
        "organisation": f"Shel{ZWJ}ter{LRI}",
        "pseudonym": f"Tenant{BOM}",
        "use_pseudonym": "on",
        "email": user.email,
    }
    assert client.post("/accounts/profile/", data).status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.organisation, user.pseudonym) == ("Alex Morgan", "Shelter", "Tenant")


def test_a_name_of_only_invisible_characters_is_no_name(client):
    response = client.post("/accounts/signup/", signup_data(display_name=f"{ZWSP}{RLO}{ZWJ}"))
    assert response.status_code == 400 and "Enter your name." in response.text


def test_accepting_an_invitation_does_not_confirm_a_second_account_for_one_mailbox():
    from tests.support.factories import WorkingGroupFactory
    from workinggroups.models import Membership
    from workinggroups.services.memberships import invitation_accept, invitation_create

    group = WorkingGroupFactory()
    UserFactory(email="alex@example.org")
    twin = UserFactory(email="alex+group@example.org", email_verified=False)
    invitation = invitation_create(
        group=group, email="alex+group@example.org", role="member", actor=UserFactory()
    )
    invitation_accept(invitation=invitation, user=twin)
    twin.refresh_from_db()
    assert Membership.objects.filter(user=twin, group=group).exists() and not twin.email_verified


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_earliest_confirmed_account_of_a_mailbox_confirmed():
    from datetime import UTC, datetime

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0001_initial")], [("accounts", "0002_email_key")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        OldUser = executor.loader.project_state(before).apps.get_model("accounts", "User")
        for n, (username, email, verified) in enumerate(
            [
                ("first", "alex@gmail.com", True),
                ("second", "A.Lex+2@googlemail.com", True),
                ("third", "alex+3@gmail.com", False),
                ("other", "other@example.org", True),
            ]
        ):
            joined = datetime(2026, 1, 1 + n, tzinfo=UTC)
            OldUser.objects.create(
                username=username, email=email, email_verified=verified, date_joined=joined
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    rows = User.objects.order_by("date_joined").values_list("username", "email_key", "email_verified")
    assert list(rows) == [
        ("first", "alex@gmail.com", True),
        ("second", "alex@gmail.com", False),
        ("third", "alex@gmail.com", False),
        ("other", "other@example.org", True),
    ]


def _form_data(html):
    """The fields of the page's main form as a browser would send them unchanged."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").select_one("form[method=post]:has(input[name=email])")
    data = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        kind = field.get("type", "")
        if kind in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        if field.name == "select":
            chosen = field.select("option[selected]")
            data[field["name"]] = [o.get("value", "") for o in chosen]
        elif field.name == "textarea":
            data[field["name"]] = field.text
        else:
            data[field["name"]] = field.get("value", "on" if kind == "checkbox" else "")
    return data


def test_the_admin_cannot_move_a_confirmed_account_onto_a_mailbox_another_has_confirmed(client):
    """Wagtail's user editor does not see email_key: the model's own clean() answers,
    beside the address, instead of the database refusing the save (a 500)."""
    admin = UserFactory(is_superuser=True, is_staff=True)
    UserFactory(email="alex@gmail.com")
    other = UserFactory(email="sam@example.org")
    client.force_login(admin)
    page = client.get(f"/admin/users/edit/{other.pk}/")
    assert page.status_code == 200
    data = _form_data(page.text)
    # Wagtail's form asks for names; the factory left them blank.
    data.update(email="A.lex+admin@googlemail.com", first_name="Sam", last_name="Okafor")
    response = client.post(f"/admin/users/edit/{other.pk}/", data)
    assert response.status_code == 200
    assert "Another confirmed account already uses this mailbox" in response.text
    other.refresh_from_db()
    assert other.email == "sam@example.org"
    data["email"] = "sam.new@example.org"  # a free mailbox saves
    assert client.post(f"/admin/users/edit/{other.pk}/", data).status_code == 302
    other.refresh_from_db()
    assert other.email == "sam.new@example.org"
