"""URL converters.

`<id:...>` is a database id: 1 to 18 digits. A longer number can never be an
id, and on SQLite one past 2**63 - 1 raises OverflowError (a 500) where
PostgreSQL finds no row; this way every such URL is a plain 404 on both.

Importing this module registers the converter; modules whose routes use it
import `ID_PATTERN` from here, which both documents the dependency and makes
sure the converter exists before their patterns are built.
"""

from django.urls import register_converter

ID_PATTERN = "[0-9]{1,18}"
# The largest id a form may name: what a 64-bit signed integer column holds.
MAX_ID = 2**63 - 1


def parse_id(value):
    """An id from a form or query string, or None if it is not one (bad, negative or too big)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(int(value))


register_converter(IdConverter, "id")
