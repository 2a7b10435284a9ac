import re

from django.core.management.base import BaseCommand, CommandError

from consultation.models import RecordEntry
from consultation.record.selectors import record_whole_head
from consultation.record.services import record_verify


def _kept_head(value):
    match = re.fullmatch(r"(\d+):([0-9a-f]{64})", value.strip().lower())
    if not match:
        raise CommandError("--head takes SEQUENCE:HASH, e.g. 42:<64 hex digits> (from the record JSON).")
    return int(match[1]), match[2]


class Command(BaseCommand):
    help = (
        "Check the process record's hash chains (the whole record's and each consultation's) against "
        "their stored heads, and name the first break."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            metavar="SEQUENCE:HASH",
            help="A copy of the record's head kept elsewhere (record_head in any record JSON): "
            "that entry must still have that hash.",
        )

    def handle(self, *args, **options):
        kept_head = _kept_head(options["head"]) if options["head"] else None
        ok, entry, reason = record_verify(kept_head=kept_head)
        if not ok:
            where = f"entry #{entry.sequence} (id {entry.pk}, {entry.kind})" if entry else "a head"
            raise CommandError(f"The process record is broken at {where}: {reason}.")
        count = RecordEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The process record is intact: {count} entries verified."))
        head = record_whole_head()
        # Kept elsewhere, this lets a later run (--head) show a rewrite that also rewrote the heads.
        self.stdout.write(f"Head to keep: {head['sequence']}:{head['entry_hash']}")
