"""The public process record: an append-only, hash-chained log of every event.

Each entry stores the hash of the one before it, so changing or deleting a
stored entry breaks the chain from that point on; `manage.py verify_record`
finds the first broken entry and compares the end of the chain with the stored
head. Summaries are public sentences: they never hold restricted text or
personal contact details.

Two chains run through the same entries:

- the whole record: `sequence`, `previous_hash`, `entry_hash` (head: `RecordHead`);
- each consultation's own: `consultation_sequence`, `consultation_previous_hash`,
  `consultation_hash` (head: `ConsultationRecordHead`), so a consultation's
  published JSON can be checked on its own, without the other consultations'
  entries. `consultation_hash` covers `entry_hash`, so it covers the content.
"""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

GENESIS_HASH = "0" * 64


class RecordEntry(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    consultation = models.ForeignKey(
        "consultation.ConsultationPage",
        on_delete=models.PROTECT,
        related_name="record_entries",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The actor's public name at the time: the record stays readable if the account goes.
    actor_name = models.CharField(max_length=200, blank=True)
    summary = models.TextField()
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)
    # The consultation's own chain (empty for an entry that belongs to no consultation).
    consultation_sequence = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    consultation_previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    consultation_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["sequence"]
        verbose_name = "process record entry"
        verbose_name_plural = "process record entries"
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "consultation_sequence"], name="one_record_position_per_consultation"
            )
        ]

    def __str__(self):
        return f"#{self.sequence} {self.kind}: {self.summary}"

    def canonical(self):
        """The exact bytes the hash covers: every public field, in a fixed order."""
        payload = {
            "sequence": self.sequence,
            "consultation": self.consultation_id,
            "kind": self.kind,
            "created_at": self.created_at.isoformat(),
            "actor_name": self.actor_name,
            "summary": self.summary,
            "data": self.data,
            "previous_hash": self.previous_hash,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder).encode()

    def compute_hash(self):
        return hashlib.sha256(self.canonical()).hexdigest()

    def compute_consultation_hash(self):
        """The link in the consultation's own chain: what it covers is in `consultation_canonical`."""
        return hashlib.sha256(
            consultation_canonical(
                consultation=self.consultation_id,
                consultation_sequence=self.consultation_sequence,
                consultation_previous_hash=self.consultation_previous_hash,
                entry_hash=self.entry_hash,
            )
        ).hexdigest()


def consultation_canonical(*, consultation, consultation_sequence, consultation_previous_hash, entry_hash):
    """The exact bytes a `consultation_hash` covers.

    Published in the record JSON and recomputed by docs/verify_record.py; the
    migration that introduced the chain keeps its own copy, so change neither.
    """
    payload = {
        "consultation": consultation,
        "consultation_sequence": consultation_sequence,
        "consultation_previous_hash": consultation_previous_hash,
        "entry_hash": entry_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


class RecordHead(models.Model):
    """A single row locked while appending, so two writers never fork the chain."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"Record head at #{self.last_sequence}"


class ConsultationRecordHead(models.Model):
    """The end of one consultation's chain, moved with every append (under `RecordHead`'s lock)."""

    consultation = models.OneToOneField(
        "consultation.ConsultationPage",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="record_head",
    )
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"Record head of consultation {self.consultation_id} at #{self.last_sequence}"
