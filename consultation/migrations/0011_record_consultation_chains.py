"""Each consultation's own chain through the process record.

Adds the per-consultation chain fields and head, then computes them for the
entries already recorded, walking the whole record in sequence order. Existing
`entry_hash` values are untouched: the whole-record chain reads as before.

The chain of entries recorded before this migration is built now, from the
record as it stands; `verify_record` checks the whole-record chain, which
covers those entries from the time they were written.
"""

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models


GENESIS_HASH = "0" * 64
BATCH = 500


def consultation_hash(*, consultation, consultation_sequence, consultation_previous_hash, entry_hash):
    # A frozen copy of consultation.models.record.consultation_canonical: the format is published.
    payload = {
        "consultation": consultation,
        "consultation_sequence": consultation_sequence,
        "consultation_previous_hash": consultation_previous_hash,
        "entry_hash": entry_hash,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def forward(apps, schema_editor):
    RecordEntry = apps.get_model("consultation", "RecordEntry")
    ConsultationRecordHead = apps.get_model("consultation", "ConsultationRecordHead")
    heads = {}  # consultation id -> (last sequence, last hash)
    fields = ["consultation_sequence", "consultation_previous_hash", "consultation_hash"]
    batch = []
    for entry in RecordEntry.objects.filter(consultation__isnull=False).order_by("sequence").iterator():
        last_sequence, last_hash = heads.get(entry.consultation_id, (0, GENESIS_HASH))
        entry.consultation_sequence = last_sequence + 1
        entry.consultation_previous_hash = last_hash
        entry.consultation_hash = consultation_hash(
            consultation=entry.consultation_id,
            consultation_sequence=entry.consultation_sequence,
            consultation_previous_hash=last_hash,
            entry_hash=entry.entry_hash,
        )
        heads[entry.consultation_id] = (entry.consultation_sequence, entry.consultation_hash)
        batch.append(entry)
        if len(batch) >= BATCH:
            RecordEntry.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        RecordEntry.objects.bulk_update(batch, fields)
    for consultation_id, (last_sequence, last_hash) in heads.items():
        ConsultationRecordHead.objects.update_or_create(
            consultation_id=consultation_id,
            defaults={"last_sequence": last_sequence, "last_hash": last_hash},
        )


class Migration(migrations.Migration):

    dependencies = [
        ('consultation', '0010_roles_that_mean_one_thing'),
    ]

    operations = [
        migrations.CreateModel(
            name='ConsultationRecordHead',
            fields=[
                ('consultation', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='record_head', serialize=False, to='consultation.consultationpage')),
                ('last_sequence', models.PositiveBigIntegerField(default=0)),
                ('last_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name='recordentry',
            name='consultation_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='recordentry',
            name='consultation_previous_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='recordentry',
            name='consultation_sequence',
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name='recordentry',
            constraint=models.UniqueConstraint(fields=('consultation', 'consultation_sequence'), name='one_record_position_per_consultation'),
        ),
        # Last: no schema change follows the row updates in this transaction (PostgreSQL).
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
