"""The public process record: an append-only, hash-chained log of every event.

Each entry stores the hash of the one before it, so changing or deleting a
stored entry breaks the chain from that point on; `manage.py verify_record`
finds the first broken entry. Summaries are public sentences: they never hold
restricted text or personal contact details.
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

    class Meta:
        ordering = ["sequence"]
        verbose_name = "process record entry"
        verbose_name_plural = "process record entries"

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


class RecordHead(models.Model):
    """A single row locked while appending, so two writers never fork the chain."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"Record head at #{self.last_sequence}"
