"""Staff see no more personal data than their job needs: email addresses only for account managers."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from tests.support.factories import UserFactory, WorkingGroupFactory
from workinggroups.models import Invitation

pytestmark = pytest.mark.django_db
ADDRESS = "invitee.private@example.org"


@pytest.fixture
def invitation():
    return Invitation.objects.create(
        group=WorkingGroupFactory(), email=ADDRESS, expires_at=timezone.now() + timedelta(days=7)
    )


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    group = Group.objects.create(name="Group admins " + "-".join(codenames))
    for codename in ("access_admin", *codenames):
        group.permissions.add(Permission.objects.get(codename=codename))
    user.groups.add(group)
    return user


def test_staff_who_do_not_manage_accounts_see_no_email_address(client, invitation):
    client.force_login(staff_with("view_invitation"))
    listing = client.get(reverse("wagtailsnippets_workinggroups_invitation:list"))
    assert listing.status_code == 200
    assert invitation.group.name in listing.content.decode()
    assert ADDRESS not in listing.content.decode()
    inspect = client.get(reverse("wagtailsnippets_workinggroups_invitation:inspect", args=[invitation.pk]))
    assert inspect.status_code == 200
    assert ADDRESS not in inspect.content.decode()


def test_account_managers_see_the_address(client, invitation):
    client.force_login(staff_with("view_invitation", "change_user"))
    listing = client.get(reverse("wagtailsnippets_workinggroups_invitation:list"))
    assert ADDRESS in listing.content.decode()
