"""Wagtail's user editor, told about one mailbox per confirmed account.

`email_key` is not a form field, so Wagtail's forms never validate the database
constraint on it, and a save that breaks it ends in an IntegrityError (a 500).
These forms say so beside the address instead. Registered the way Wagtail's
docs describe: a UserViewSet subclass named by a WagtailUsersAppConfig subclass
(accounts.apps.UsersAdminConfig, in INSTALLED_APPS in place of wagtail.users).
"""

from django import forms
from django.contrib.auth import get_user_model
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from core.emails import email_key

TAKEN = "Another confirmed account already uses this mailbox (the same address, ignoring +tags)."


class OneMailboxMixin:
    def clean_email(self):
        address = self.cleaned_data["email"].strip()
        key = email_key(address)
        instance = getattr(self, "instance", None)
        verified = instance is not None and instance.pk and instance.email_verified
        if key and verified:
            others = get_user_model().objects.filter(email_key=key, email_verified=True)
            if others.exclude(pk=instance.pk).exists():
                raise forms.ValidationError(TAKEN)
        return address


class AccountEditForm(OneMailboxMixin, UserEditForm):
    pass


class AccountCreationForm(OneMailboxMixin, UserCreationForm):
    pass


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return AccountEditForm if for_update else AccountCreationForm
