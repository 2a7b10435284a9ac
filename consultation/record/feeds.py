"""The process record as an Atom feed, one per consultation."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from consultation.record import selectors as record

FEED_LENGTH = 50


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
        return f"Process record: {consultation.title}"

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
        return consultation.run_by

    def items(self, consultation):
        return record.record_latest(consultation=consultation, limit=FEED_LENGTH)

    def item_title(self, entry):
        return f"{entry.kind_label}: {entry.summary}"

    def item_description(self, entry):
        return f"{entry.summary} (by {entry.actor_name}; record entry {entry.sequence})"

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
        return entry.actor_name

    def item_categories(self, entry):
        return [entry.kind_label]
