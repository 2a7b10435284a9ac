from django.core.management.base import BaseCommand, CommandError

from consultation.models import RecordEntry
from consultation.record.services import record_verify


class Command(BaseCommand):
    help = "Check the process record's hash chain and name the first broken entry."

    def handle(self, *args, **options):
        ok, entry, reason = record_verify()
        if not ok:
            where = f"entry #{entry.sequence} (id {entry.pk}, {entry.kind})" if entry else "the record head"
            raise CommandError(f"The process record is broken at {where}: {reason}.")
        count = RecordEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The process record is intact: {count} entries verified."))
