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
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

# Shown where a name was erased at its owner's request (and in summaries that named them).
from accounts.models import ERASED_NAME

GENESIS_HASH = "0" * 64
# Where a summary names the actor or the person it is about, it holds these
# markers; the names are kept beside the entry, outside the hashed payload.
ACTOR_MARK = "{actor}"
SUBJECT_MARK = "{subject}"


def new_salt():
    return secrets.token_hex(16)


def name_digest(salt, name):
    """The salted SHA-256 of a name that the chain covers instead of the name itself ("" for no name).

    With the salt, anyone can check that a published name is the one hashed;
    erasing the name erases its salt too, and the digest alone says nothing."""
    if not name:
        return ""
    return hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()


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
    # Personal, so outside the hashed payload: the chain covers `actor_name_digest`,
    # and erasing the person empties the name and its salt (`record_names_erase`).
    actor_name = models.CharField(max_length=200, blank=True)
    actor_name_salt = models.CharField(max_length=32, blank=True, editable=False)
    actor_name_digest = models.CharField(max_length=64, blank=True, editable=False)
    # The person the summary is about, when it is not (only) the actor: a member
    # who joined, the author of a proposal. Kept like the actor's name.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_name = models.CharField(max_length=200, blank=True)
    subject_name_salt = models.CharField(max_length=32, blank=True, editable=False)
    subject_name_digest = models.CharField(max_length=64, blank=True, editable=False)
    # The summary as hashed: names appear in it only as ACTOR_MARK / SUBJECT_MARK.
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
        return f"#{self.sequence} {self.kind}: {self.public_summary}"

    @property
    def actor_display(self):
        return self.actor_name or (ERASED_NAME if self.actor_name_digest else "")

    @property
    def subject_display(self):
        return self.subject_name or (ERASED_NAME if self.subject_name_digest else "")

    @property
    def public_summary(self):
        """The summary as people read it: the names (or "A former participant") in place of the marks."""
        text = self.summary
        if ACTOR_MARK in text:
            text = text.replace(ACTOR_MARK, self.actor_display or ERASED_NAME)
        if SUBJECT_MARK in text:
            text = text.replace(SUBJECT_MARK, self.subject_display or ERASED_NAME)
        return text

    def set_names(self, *, actor_name, subject_name=""):
        """Store the names beside the entry, each with a fresh salt and the digest the chain covers."""
        self.actor_name, self.subject_name = actor_name, subject_name
        self.actor_name_salt = new_salt() if actor_name else ""
        self.subject_name_salt = new_salt() if subject_name else ""
        self.actor_name_digest = name_digest(self.actor_name_salt, actor_name)
        self.subject_name_digest = name_digest(self.subject_name_salt, subject_name)

    def canonical(self):
        """The exact bytes the hash covers: every public field, in a fixed order.

        Names are covered through their salted digests only, so a name can be
        erased and the chain still checks (docs/versions-and-record.md)."""
        payload = {
            "sequence": self.sequence,
            "consultation": self.consultation_id,
            "kind": self.kind,
            "created_at": self.created_at.isoformat(),
            "actor_name_digest": self.actor_name_digest,
            "subject_name_digest": self.subject_name_digest,
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
