"""The process record as an Atom feed, one per consultation."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from consultation.record import selectors as record

FEED_LENGTH = 50

# Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline
# and carriage return; the non-characters U+FFFE and U+FFFF). Django's feed
# writer refuses them with an exception, so one such character in a name or a
# reason would break the feed for good: the record is append-only.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text):
    """`text` with what XML cannot carry shown as U+FFFD; the record's JSON keeps the exact text."""
    return XML_INVALID.sub("\ufffd", str(text))


def _absolute(request, path):
    if path.startswith(("http://", "https://")):
        return path
    # Feeds are read away from the site: links use the configured public address.
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)


class RecordFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, consultation):
        self.request = request
        self.record_url = _absolute(
            request, consultation.get_url(request) + consultation.reverse_subpage("record")
        )
        return consultation

    def title(self, consultation):
        return xml_text(f"Process record: {consultation.title}")

    def subtitle(self, consultation):
        return (
            "Every public event in this consultation: stage changes, versions, sign-offs, "
            "moderation, restrictions and responses, newest first."
        )

    def link(self, consultation):
        return self.record_url

    def feed_url(self, consultation):
        return f"{self.record_url}feed/"

    def author_name(self, consultation):
        return xml_text(consultation.run_by)

    def items(self, consultation):
        return record.record_latest(consultation=consultation, limit=FEED_LENGTH)

    def item_title(self, entry):
        return xml_text(f"{entry.kind_label}: {entry.summary}")

    def item_description(self, entry):
        return xml_text(f"{entry.summary} (by {entry.actor_name}; record entry {entry.sequence})")

    def item_link(self, entry):
        return f"{self.record_url}{entry.sequence}/"

    def item_guid(self, entry):
        # Stable for ever: the entry's hash names it.
        return f"urn:sha256:{entry.entry_hash}"

    def item_pubdate(self, entry):
        return entry.created_at

    def item_updateddate(self, entry):
        return entry.created_at

    def item_author_name(self, entry):
        return xml_text(entry.actor_name)

    def item_categories(self, entry):
        return [xml_text(entry.kind_label)]
