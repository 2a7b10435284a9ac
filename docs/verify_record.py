#!/usr/bin/env python3
"""Check one consultation's process record from its published JSON alone.

Standard library only: copy this file anywhere and run it with Python 3.8+.

    python3 verify_record.py https://consult.example.gov/<consultation>/record/json/
    python3 verify_record.py record.json --head 41:<consultation_hash you kept>

It recomputes every entry's `entry_hash` from the entry (and checks each name
that is still published against its salted digest), then walks the
consultation's own chain (`consultation_sequence` 1, 2, 3… each
`consultation_previous_hash` the `consultation_hash` before it, each
`consultation_hash` recomputed) and checks that the chain ends at the
published `head`. Each `--head N:HASH` is a copy of an earlier head you kept:
entry N must still be in the chain with that hash, so the record you saw then
has not been rewritten since. Prints the head to keep for next time.

Exit status: 0 when everything checks, 1 when something does not (the first
problem is named), 2 when the JSON cannot be read.
"""

import argparse
import hashlib
import json
import sys
import urllib.request

GENESIS_HASH = "0" * 64
ENTRY_FIELDS = (
    "sequence",
    "consultation",
    "kind",
    "created_at",
    "actor_name_digest",
    "subject_name_digest",
    "summary",
    "data",
    "previous_hash",
)
# Names are kept outside what is hashed: the hash covers a salted digest of each,
# SHA-256 of "<salt>:<name>". A name erased at its owner's request has no salt.
NAMES = (
    ("actor_name", "actor_name_salt", "actor_name_digest"),
    ("subject_name", "subject_name_salt", "subject_name_digest"),
)
CHAIN_FIELDS = ("consultation", "consultation_sequence", "consultation_previous_hash", "entry_hash")


class Broken(Exception):
    pass


def sha256_of(entry, fields):
    """SHA-256 of the named fields as JSON: sorted keys, no spaces, non-ASCII escaped."""
    covered = {field: entry[field] for field in fields}
    return hashlib.sha256(json.dumps(covered, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def load(source):
    if source == "-":
        return json.load(sys.stdin)
    if source.startswith(("http://", "https://", "file:")):
        request = urllib.request.Request(source, headers={"Accept": "application/json"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (the user's own URL)
            return json.load(response)
    with open(source, encoding="utf-8") as handle:
        return json.load(handle)


def verify(document, kept_heads=()):
    """Check the document; return (entries checked, head). Raises Broken naming the first problem."""
    consultation = document["consultation"]["id"]
    previous_hash = GENESIS_HASH
    previous_sequence = 0
    chain = {0: GENESIS_HASH}  # consultation_sequence -> consultation_hash
    for position, entry in enumerate(document["entries"], start=1):
        where = f"entry #{entry.get('sequence')} (this consultation's entry {position})"
        if entry["consultation"] != consultation:
            raise Broken(f"{where} belongs to consultation {entry['consultation']}, not {consultation}")
        if sha256_of(entry, ENTRY_FIELDS) != entry["entry_hash"]:
            raise Broken(f"{where}: its contents do not match its entry_hash")
        for name, salt, digest in NAMES:
            if (
                entry.get(salt)
                and hashlib.sha256(f"{entry[salt]}:{entry[name]}".encode()).hexdigest() != entry[digest]
            ):
                raise Broken(f"{where}: its {name} is not the name its {digest} was made from")
        if entry["sequence"] <= previous_sequence:
            raise Broken(f"{where}: out of order in the whole record (after #{previous_sequence})")
        if entry["consultation_sequence"] != position:
            raise Broken(
                f"{where}: numbered {entry['consultation_sequence']} where {position} belongs: "
                "entries are missing or out of order"
            )
        if entry["consultation_previous_hash"] != previous_hash:
            raise Broken(f"{where}: consultation_previous_hash is not the consultation_hash before it")
        if sha256_of(entry, CHAIN_FIELDS) != entry["consultation_hash"]:
            raise Broken(f"{where}: consultation_hash does not match the entry")
        previous_hash, previous_sequence = entry["consultation_hash"], entry["sequence"]
        chain[position] = previous_hash

    count = len(document["entries"])
    head = document["head"]
    if (head["consultation_sequence"], head["consultation_hash"]) != (count, previous_hash):
        raise Broken(
            f"the published head ({head['consultation_sequence']}:{head['consultation_hash']}) is not the "
            f"end of the chain ({count}:{previous_hash}): entries were removed, added or rewritten"
        )
    for sequence, kept_hash in kept_heads:
        if sequence not in chain:
            raise Broken(f"the head you kept names entry {sequence}, but the chain now ends at {count}")
        if chain[sequence] != kept_hash:
            raise Broken(
                f"this consultation's entry {sequence} no longer has the hash you kept: "
                f"the record was rewritten at or before it"
            )
    return count, head


def kept_head(value):
    sequence, _, digest = value.partition(":")
    if not sequence.isdigit() or len(digest) != 64:
        raise argparse.ArgumentTypeError("expected N:HASH, e.g. 12:3f5a… (64 hex digits)")
    return int(sequence), digest.lower()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="the record JSON: a URL, a file, or - for standard input")
    parser.add_argument(
        "--head",
        action="append",
        type=kept_head,
        default=[],
        metavar="N:HASH",
        help="a head you kept earlier (consultation_sequence:consultation_hash); repeatable",
    )
    args = parser.parse_args(argv)
    try:
        document = load(args.source)
    except (OSError, ValueError) as error:
        print(f"Cannot read the record JSON: {error}", file=sys.stderr)
        return 2
    try:
        count, head = verify(document, args.head)
    except Broken as error:
        print(f"BROKEN: {error}.")
        return 1
    except (KeyError, TypeError) as error:
        print(f"BROKEN: the JSON lacks a field the record publishes ({error}).")
        return 1
    title = document["consultation"].get("title", document["consultation"]["id"])
    print(f"OK: {count} entries of the record of “{title}” verified.")
    print(f"Head to keep: {head['consultation_sequence']}:{head['consultation_hash']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
