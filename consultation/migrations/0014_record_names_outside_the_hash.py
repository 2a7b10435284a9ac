"""Names in the process record move outside the hashed payload, so a person can be erased.

Each entry gets its actor's name (and, for membership and proposal entries,
the name of the person the summary is about) stored beside it with a random
salt; the hash covers only SHA-256("<salt>:<name>"). Summaries that named
those people get the markers {actor} / {subject} in place of the name, where
the name can be found in them (the actor's name in a voice change; the
member's name in a membership entry; the proposal's author snapshot).

Then every entry_hash, both chains and both heads are recomputed in sequence
order: the record's contents are unchanged, but heads copied before this
migration no longer match. The upgrade note in docs/versions-and-record.md
says so; operators publish the new heads beside the old ones.
"""

import hashlib
import json
import secrets

import django.db.models.deletion
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

GENESIS_HASH = "0" * 64
BATCH = 500
ACTOR_MARK = "{actor}"
SUBJECT_MARK = "{subject}"


def _digest(salt, name):
    return hashlib.sha256(f"{salt}:{name}".encode()).hexdigest() if name else ""


def _sha(payload, **kwargs):
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":"), **kwargs).encode()
    ).hexdigest()


def _public_name(user):
    if user.use_pseudonym and user.pseudonym:
        return user.pseudonym
    return user.display_name or f"{user.first_name} {user.last_name}".strip() or user.username


def _subject(entry, Membership, Proposal):
    """(user id, name) of the person an old summary names besides the actor, if found in it."""
    data = entry.data or {}
    if entry.kind == "membership" and data.get("membership"):
        membership = Membership.objects.select_related("user").filter(pk=data["membership"]).first()
        if membership is not None:
            names = [_public_name(membership.user)]
            if entry.actor_id == membership.user_id and entry.actor_name:
                names.insert(0, entry.actor_name)
            for name in names:
                if name and name in entry.summary:
                    return membership.user_id, name
    if entry.kind.startswith("proposal_") and data.get("proposal"):
        proposal = Proposal.objects.filter(pk=data["proposal"]).first()
        if proposal is not None and proposal.author_name and proposal.author_name in entry.summary:
            return proposal.author_id, proposal.author_name
    return None, ""


def forward(apps, schema_editor):
    RecordEntry = apps.get_model("consultation", "RecordEntry")
    RecordHead = apps.get_model("consultation", "RecordHead")
    ConsultationRecordHead = apps.get_model("consultation", "ConsultationRecordHead")
    Membership = apps.get_model("workinggroups", "Membership")
    Proposal = apps.get_model("consultation", "Proposal")
    fields = [
        "summary", "subject", "subject_name", "actor_name_salt", "actor_name_digest",
        "subject_name_salt", "subject_name_digest", "previous_hash", "entry_hash",
        "consultation_previous_hash", "consultation_hash",
    ]  # fmt: skip
    previous = GENESIS_HASH
    chains = {}
    batch = []
    last_sequence = 0
    for entry in RecordEntry.objects.order_by("sequence").iterator():
        subject_id, subject_name = _subject(entry, Membership, Proposal)
        if subject_name:
            entry.summary = entry.summary.replace(subject_name, SUBJECT_MARK)
            entry.subject_id, entry.subject_name = subject_id, subject_name
        elif (
            entry.kind == "voice_changed" and entry.actor_name and entry.summary.startswith(entry.actor_name)
        ):
            entry.summary = ACTOR_MARK + entry.summary[len(entry.actor_name) :]
        entry.actor_name_salt = secrets.token_hex(16) if entry.actor_name else ""
        entry.actor_name_digest = _digest(entry.actor_name_salt, entry.actor_name)
        entry.subject_name_salt = secrets.token_hex(16) if entry.subject_name else ""
        entry.subject_name_digest = _digest(entry.subject_name_salt, entry.subject_name)
        entry.previous_hash = previous
        # A frozen copy of RecordEntry.canonical as it is from this migration on.
        entry.entry_hash = _sha(
            {
                "sequence": entry.sequence,
                "consultation": entry.consultation_id,
                "kind": entry.kind,
                "created_at": entry.created_at.isoformat(),
                "actor_name_digest": entry.actor_name_digest,
                "subject_name_digest": entry.subject_name_digest,
                "summary": entry.summary,
                "data": entry.data,
                "previous_hash": entry.previous_hash,
            },
            cls=DjangoJSONEncoder,
        )
        previous = entry.entry_hash
        last_sequence = entry.sequence
        if entry.consultation_id is not None:
            last_hash = chains.get(entry.consultation_id, (0, GENESIS_HASH))[1]
            entry.consultation_previous_hash = last_hash
            entry.consultation_hash = _sha(
                {
                    "consultation": entry.consultation_id,
                    "consultation_sequence": entry.consultation_sequence,
                    "consultation_previous_hash": last_hash,
                    "entry_hash": entry.entry_hash,
                }
            )
            chains[entry.consultation_id] = (entry.consultation_sequence, entry.consultation_hash)
        batch.append(entry)
        if len(batch) >= BATCH:
            RecordEntry.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        RecordEntry.objects.bulk_update(batch, fields)
    if last_sequence:
        RecordHead.objects.update_or_create(
            pk=1, defaults={"last_sequence": last_sequence, "last_hash": previous}
        )
    for consultation_id, (sequence, last_hash) in chains.items():
        ConsultationRecordHead.objects.update_or_create(
            consultation_id=consultation_id, defaults={"last_sequence": sequence, "last_hash": last_hash}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0013_fingerprint_existing_wording"),
        ("workinggroups", "0002_membership_history_invitations_signoffs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="recordentry",
            name="actor_name_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="recordentry",
            name="actor_name_salt",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="recordentry",
            name="subject",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="recordentry",
            name="subject_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="recordentry",
            name="subject_name_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="recordentry",
            name="subject_name_salt",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
