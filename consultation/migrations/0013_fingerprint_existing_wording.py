"""Fingerprint the wording that existed before fingerprints (0012 added the fields).

Every section's live wording gets its fingerprint, and every section reaction
and comment made before 0012 gets the fingerprint of the wording it was made on:
the snapshot of the version it names, or the live wording when no version of
that label was ever published (reactions on the paper's first, unpublished v1).
Without this, an upgraded site would count none of its existing reactions
(docs/versions-and-record.md).

Rendering a section's body needs the real StreamField blocks and templates, so
this imports them; the fingerprint function is the one the models use.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from consultation.blocks import SectionBodyBlock
    from consultation.models.pages import wording_hash

    SectionPage = apps.get_model("consultation", "SectionPage")
    SectionVersion = apps.get_model("consultation", "SectionVersion")
    Reaction = apps.get_model("consultation", "Reaction")
    Comment = apps.get_model("consultation", "Comment")

    body_block = SectionBodyBlock()
    live = {}
    for page in SectionPage.objects.all().iterator():
        value = body_block.to_python(list(page.body.raw_data))
        live[page.pk] = wording_hash("".join(str(child.render()) for child in value))
        SectionPage.objects.filter(pk=page.pk).update(wording_hash=live[page.pk])

    snapshots = {
        (section_id, label): fingerprint
        for section_id, label, fingerprint in SectionVersion.objects.values_list(
            "section_id", "version__label", "wording_hash"
        )
    }

    def fingerprint_of(section_id, label):
        return snapshots.get((section_id, label)) or live.get(section_id, "")

    pending = Reaction.objects.filter(text_hash="", target_kind="section", section__isnull=False)
    for pk, section_id, label in pending.values_list("pk", "section_id", "paper_version").iterator():
        Reaction.objects.filter(pk=pk).update(text_hash=fingerprint_of(section_id, label))
    pending = Comment.objects.filter(text_hash="", section__isnull=False)
    for pk, section_id, label in pending.values_list("pk", "section_id", "version_label").iterator():
        Comment.objects.filter(pk=pk).update(text_hash=fingerprint_of(section_id, label))


class Migration(migrations.Migration):
    dependencies = [("consultation", "0012_wording_fingerprints")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
