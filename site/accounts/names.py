"""Names people show: free of invisible characters, and not posing as staff.

Invisible characters: Unicode's control (Cc) and format (Cf) categories hold
the bidirectional overrides that display text reversed (U+202E), and the
zero-width characters that make two names look the same but differ. They are
removed (with line and paragraph separators) wherever a name or organisation
is typed; what is left has its runs of spaces collapsed.

Posing as staff: a display name or pseudonym may not contain the words
moderator, moderation, editor, admin or administrator, nor "Open Policy" (the
site's name, `SITE_NAME`), however spaced or punctuated; nor a staff member's
name. Staff are accounts with `is_staff` or `is_superuser`, or in any Django
group (the moderation and editing groups). Staff themselves are not held to
this, so "Sam Whitfield (moderator)" stays possible for the real Sam.
"""

import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
RESERVED_WORDS = {
    "moderator",
    "moderators",
    "moderation",
    "editor",
    "editors",
    "admin",
    "admins",
    "administrator",
    "administrators",
}
# Matched with spacing and punctuation ignored ("M.o.d.e.r.a.t.o.r").
RESERVED_RUNS = {"moderator", "administrator"}
# A staff name shorter than this (letters and digits) is too common to reserve.
MIN_STAFF_NAME = 6


def strip_invisible(value):
    """`value` without control and format characters, its spaces collapsed."""
    kept = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in str(value or "")
        if ch in "\t\n\r" or unicodedata.category(ch) not in INVISIBLE_CATEGORIES
    )
    return " ".join(kept.split())


# Cyrillic and Greek letters drawn like Latin ones ("Аdmin" with a Cyrillic А).
# Not Unicode's whole confusables table: enough for the reserved words and names.
LOOKALIKES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "і": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
        "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ɡ": "g",
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x",
    }
)  # fmt: skip


def _fold(value):
    return unicodedata.normalize("NFKC", value).casefold().translate(LOOKALIKES)


def _skeleton(value):
    return "".join(ch for ch in _fold(value) if ch.isalnum())


def staff_users():
    return (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__isnull=False))
        .distinct()
    )


def is_staff_member(user):
    return bool(user and user.pk) and staff_users().filter(pk=user.pk).exists()


def reserved_name_reason(name, *, user=None):
    """Why `name` may not be shown as `user`'s name, or None if it may."""
    if not name or is_staff_member(user):
        return None
    folded = _fold(name)
    skeleton = _skeleton(name)
    words = set(re.findall(r"\w+", folded))
    if words & RESERVED_WORDS or any(run in skeleton for run in RESERVED_RUNS):
        return (
            "Names that suggest a role on this site, such as moderator, editor or admin, are kept for staff."
        )
    if _skeleton(settings.SITE_NAME) in skeleton:
        return f"Names that include “{settings.SITE_NAME}” are kept for the site's staff."
    for staff in staff_users().exclude(pk=getattr(user, "pk", None)):
        for staff_name in {staff.display_name, staff.get_full_name(), staff.pseudonym}:
            staff_skeleton = _skeleton(staff_name or "")
            if len(staff_skeleton) >= MIN_STAFF_NAME and staff_skeleton in skeleton:
                return "This name is too close to the name of a member of staff. Choose another."
    return None
