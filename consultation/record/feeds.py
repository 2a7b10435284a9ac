"""The process record as an Atom feed, one per consultation."""

import re

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from consultation.record import selectors as record
from core.links import site_url

FEED_LENGTH = 50
# The namespace of the feed-level <record:head> element.
RECORD_NS = "urn:x-open-policy:record"


class PlainTextAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are plain text.

    Django's Atom writer marks summaries `type="html"`, so a feed reader renders
    them; ours hold names and reasons that people typed, and the record is
    hash-chained, so a payload stored there could never be taken back. As
    `type="text"` (titles, names and categories are text by default in Atom)
    the XML writer's escaping is all a reader ever sees.
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("text_summary") is not None:
            handler.addQuickElement("summary", item["text_summary"], {"type": "text"})


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
    return site_url(path)


class RecordHeadAtom1Feed(PlainTextAtom1Feed):
    """Atom with the consultation's record head at feed level, so a reader keeps a copy of it:
    <record:head sequence="N" json="…/record/json/">consultation_hash of entry N</record:head>."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:record": RECORD_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        head = self.feed["record_head"]
        handler.addQuickElement(
            "record:head",
            head["consultation_hash"],
            {"sequence": str(head["consultation_sequence"]), "json": self.feed["record_json_url"]},
        )


class RecordFeed(Feed):
    feed_type = RecordHeadAtom1Feed

    def get_object(self, request, consultation):
        self.request = request
        self.record_url = _absolute(
            request, consultation.get_url(request) + consultation.reverse_subpage("record")
        )
        # Read before the items, which stop at it, so the feed's head and entries agree.
        self.head = record.record_head(consultation=consultation)
        return consultation

    def feed_extra_kwargs(self, consultation):
        return {"record_head": self.head, "record_json_url": f"{self.record_url}json/"}

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
        return record.record_latest(consultation=consultation, limit=FEED_LENGTH, head=self.head)

    def item_title(self, entry):
        return xml_text(f"{entry.kind_label}: {entry.public_summary}")

    def item_description(self, entry):
        # None keeps Django's type="html" summary out; the text one is added above.
        return None

    def item_extra_kwargs(self, entry):
        summary = f"{entry.public_summary} (by {entry.actor_display}; record entry {entry.sequence})"
        return {"text_summary": xml_text(summary)}

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
        return xml_text(entry.actor_display)

    def item_categories(self, entry):
        return [xml_text(entry.kind_label)]
