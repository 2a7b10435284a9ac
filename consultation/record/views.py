"""Public pages of a consultation's process record and restriction register.

Served as sub-pages of the consultation (see page_routes.py): the record as an
HTML timeline, one entry on its own page, and JSON; the Atom feed is in feeds.py.
"""

from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from consultation.record import selectors as record
from consultation.record.feeds import RecordFeed


def _absolute(request, path):
    return request.build_absolute_uri(path)


def record_timeline(request, consultation):
    kind = request.GET.get("kind") or None
    context = {
        "page": consultation,
        "consultation": consultation,
        **record.record_timeline(consultation=consultation, page_number=request.GET.get("page"), kind=kind),
    }
    return TemplateResponse(request, "consultation/record/timeline.html", context)


def record_entry(request, consultation, sequence):
    entry = record.record_entry(consultation=consultation, sequence=sequence)
    if entry is None:
        raise Http404("There is no such entry in this consultation's record.")
    return TemplateResponse(
        request,
        "consultation/record/entry.html",
        {"page": consultation, "consultation": consultation, "entry": entry},
    )


HOW_TO_VERIFY = (
    "Two chains run through the record. (1) entry_hash is the SHA-256 of the JSON object with the keys "
    "sequence, consultation, kind, created_at, actor_name_digest, subject_name_digest, summary, data and "
    "previous_hash, serialised "
    "with sorted keys, no spaces (separators ',' and ':') and non-ASCII characters escaped as \\uXXXX "
    "(Python: hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(',', ':')).encode())); "
    "previous_hash links the whole record, across consultations. (2) consultation_hash is the SHA-256, "
    "serialised the same way, of the object with the keys consultation, consultation_sequence, "
    "consultation_previous_hash and entry_hash: this consultation's own chain, numbered 1, 2, 3... "
    "from consultation_previous_hash '0' x 64, so it can be checked from this document alone. The last "
    "entry's consultation_sequence and consultation_hash must equal 'head'; keep a copy of 'head' to "
    "check later that the record you saw is still there, unchanged. The script docs/verify_record.py "
    "(Python standard library only) does all of this."
)


def record_json(request, consultation):
    """Every entry of the record, in order, with the hashes that chain them and the head.

    Each entry carries both chains: the whole record's (`previous_hash` may
    belong to another consultation's entry) and the consultation's own,
    which can be checked from this document alone up to `head`."""
    base = consultation.get_url(request)
    # The head first, then the entries up to it: the two always agree.
    head = record.record_head(consultation=consultation)
    entries = record.record_through_head(consultation=consultation, head=head)
    payload = {
        "consultation": {
            "id": consultation.pk,
            "title": consultation.title,
            "url": _absolute(request, base),
            "record_url": _absolute(request, base + consultation.reverse_subpage("record")),
        },
        "generated_at": timezone.now().isoformat(),
        "how_to_verify": HOW_TO_VERIFY,
        "head": head,
        # The whole record's head (all consultations) when this was generated.
        "record_head": record.record_whole_head(),
        "entries": [record.record_as_json(entry) for entry in entries],
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 2})


def restriction_register(request, consultation):
    context = {
        "page": consultation,
        "consultation": consultation,
        **record.restriction_register(consultation=consultation),
    }
    return TemplateResponse(request, "consultation/record/restrictions.html", context)


def record_feed(request, consultation):
    """The record as an Atom feed."""
    return RecordFeed()(request, consultation=consultation)
