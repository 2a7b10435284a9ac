"""Roles that mean one thing.

Wagtail's initial migration creates groups called "Moderators" and "Editors"
with add, change and publish permissions on the root page. This project once
used "Moderators" for comment moderation, which made every comment moderator
a publisher of every page (and so a reader of every restricted text), and
"Editors" could edit every consultation.

Forward: comment moderation moves to the project's own group, "Comment
moderators", which may use the admin and holds no page permission; its
members leave Wagtail's "Moderators". Wagtail's "Moderators" and "Editors"
lose their root-page permissions, so editors edit only the consultations they
are granted (page permissions on those consultation pages). Superusers keep
the whole tree.
"""

from django.db import migrations

COMMENT_MODERATORS = "Comment moderators"
WAGTAIL_DEFAULT_GROUPS = ("Moderators", "Editors")


def forward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Page = apps.get_model("wagtailcore", "Page")
    User = apps.get_model("accounts", "User")

    moderators, _ = Group.objects.get_or_create(name=COMMENT_MODERATORS)
    access_admin = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin").first()
    if access_admin is not None:
        moderators.permissions.add(access_admin)

    wagtail_moderators = Group.objects.filter(name="Moderators").first()
    if wagtail_moderators is not None:
        for user in User.objects.filter(groups=wagtail_moderators):
            user.groups.add(moderators)
            user.groups.remove(wagtail_moderators)

    roots = Page.objects.filter(depth=1)
    GroupPagePermission.objects.filter(group__name__in=WAGTAIL_DEFAULT_GROUPS, page__in=roots).delete()


def backward(apps, schema_editor):
    # Page permissions removed on the way forward are not restored: granting
    # every page to a group again is a decision for an administrator.
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    moderators = Group.objects.filter(name=COMMENT_MODERATORS).first()
    if moderators is None:
        return
    wagtail_moderators, _ = Group.objects.get_or_create(name="Moderators")
    for user in User.objects.filter(groups=moderators):
        user.groups.add(wagtail_moderators)
    moderators.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0009_voices"),
        ("accounts", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forward, backward)]
