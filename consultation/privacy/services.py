"""People's data rights: the export of everything held about a person.

`personal_data_export(user=...)` builds the zip synchronously and returns its
bytes, so a background task can call it unchanged. The person fetches it
through a signed link that expires (`export_link_token` / `export_link_user`):
nothing is stored, and the link works only for the account it names.
"""

import io
import json
import zipfile

from django.conf import settings
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone

from consultation.privacy.selectors import personal_data

EXPORT_SALT = "consultation.privacy.export"


def personal_data_export(*, user):
    """A zip of `data.json` (everything in `personal_data`) and a README saying what each part is."""
    data = {
        "generated_at": timezone.now().isoformat(),
        "site": settings.SITE_NAME,
        **personal_data(user=user),
    }
    context = {"user": user, "data": data, "site_name": settings.SITE_NAME}
    readme = render_to_string("consultation/privacy/export_readme.txt", context)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def export_link_token(*, user):
    """A signed token for `user`'s download link; it expires after PRIVACY_EXPORT_LINK_MAX_AGE seconds.

    It carries the password hash's tail too, so changing the password (or
    erasing the account) makes every earlier link useless."""
    return signing.dumps({"u": user.pk, "p": user.password[-12:]}, salt=EXPORT_SALT)


def export_link_user(*, token, user):
    """True if `token` is a live download link for `user` (the signed-in person)."""
    try:
        value = signing.loads(token, salt=EXPORT_SALT, max_age=settings.PRIVACY_EXPORT_LINK_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(value, dict) or not user.is_authenticated:
        return False
    return value.get("u") == user.pk and value.get("p") == user.password[-12:]
