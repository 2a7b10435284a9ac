from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from wagtail.users.apps import WagtailUsersAppConfig


def sync_site_domain(sender, using="default", **kwargs):
    """django.contrib.sites says "example.com" until told otherwise, and
    comments-xtd and Django's auth emails read it: keep it equal to SITE_URL."""
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc
    if domain:
        Site.objects.using(using).update_or_create(
            pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
        )


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # After django.contrib.sites has created its default row.
        post_migrate.connect(sync_site_domain, sender=self, dispatch_uid="accounts.sync_site_domain")


class UsersAdminConfig(WagtailUsersAppConfig):
    """wagtail.users with our user forms (accounts/admin_users.py)."""

    user_viewset = "accounts.admin_users.UserViewSet"
