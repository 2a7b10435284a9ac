"""Take off the site the pages left live under an unpublished consultation or paper.

From this release a consultation, paper or section is live only while the page above it
is (consultation/pages/services.py). Before it, unpublishing a paper in Wagtail left its
sections live, and they were served. This brings an existing site into line, as unpublishing
with Wagtail's "include child pages" would have; which pages come back is the editors' choice.
(A page already cached for anonymous readers may be served until its entry expires,
PAGE_CACHE_SECONDS: it was public until now.)
"""

from django.db import migrations

CONTAINERS = ("consultationindexpage", "consultationpage", "policypaperpage")


def forward(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    ContentType = apps.get_model("contenttypes", "ContentType")
    containers = ContentType.objects.filter(app_label="consultation", model__in=CONTAINERS)
    for container in Page.objects.filter(content_type__in=containers, live=False).order_by("path"):
        Page.objects.filter(path__startswith=container.path, depth__gt=container.depth, live=True).update(
            live=False, has_unpublished_changes=True, live_revision=None
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0024_comments_stamps"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
