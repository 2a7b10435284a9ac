"""People's data rights: the export of everything held about a person, and erasing them.

`export_request(user=...)` records a `PersonalDataExport` and enqueues
`export_build`, which builds the zip (`personal_data_export`) in the
background and stores it in the database (never in public media). The person
fetches it through a signed link that expires (`export_link_token` /
`export_link_user`), tied to their account and password; `retention_apply`
deletes stored exports once their link has expired.
"""

import io
import json
import secrets
import zipfile
from datetime import timedelta
from functools import partial

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.search import index

from accounts.models import ERASED_NAME
from consultation.models import (
    Comment,
    CommentNotification,
    CommentReport,
    CommentRevision,
    NotificationDigest,
    PaperFollow,
    PersonalDataExport,
    Proposal,
    Reaction,
    RecordEntry,
    SectionFollow,
    StageChange,
    Subscription,
    Voice,
)
from consultation.models.comments import REMOVED_AT_AUTHORS_REQUEST
from consultation.privacy.selectors import email_key_prefixes, personal_data
from consultation.reactions import broadcast
from consultation.subscriptions.services import subscriptions_purge_unconfirmed
from jobs.models import Job
from jobs.services import background, job_enqueue, jobs_forget_person
from workinggroups.models import Invitation, JoinRequest, Membership

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


def export_request(*, user):
    """Have `user`'s export built in the background; returns their `PersonalDataExport`.
    One already being prepared is left to finish (asking twice builds once)."""
    with transaction.atomic():
        export = PersonalDataExport.objects.select_for_update().filter(user=user).first()
        if export is not None and export.built_at is None:
            return export
        now = timezone.now()
        export, _ = PersonalDataExport.objects.update_or_create(
            user=user, defaults={"requested_at": now, "built_at": None, "archive": b""}
        )
        job_enqueue(
            "consultation.privacy.services.export_build",
            kwargs={"export_id": export.pk},
            key=f"data-export:{export.pk}:{now.isoformat()}",
            label=f"Data export for user {user.pk}",
        )
    return export


@background
def export_build(*, export_id):
    """Build and store one requested export (a retried job finds it built and stops)."""
    export = PersonalDataExport.objects.select_related("user").filter(pk=export_id, built_at=None).first()
    if export is None:
        return
    archive = personal_data_export(user=export.user)
    PersonalDataExport.objects.filter(pk=export.pk, requested_at=export.requested_at, built_at=None).update(
        archive=archive, built_at=timezone.now()
    )


def export_expired_before(now=None):
    """Exports built (or asked for) before this are past their link's life."""
    return (now or timezone.now()) - timedelta(seconds=settings.PRIVACY_EXPORT_LINK_MAX_AGE)


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


# ---------------------------------------------------------------- erasure (article 17)

KEEP = "keep"
REMOVE = "remove"


def _erase_comments(*, user, contributions, now):
    comments = Comment.objects.filter(user=user)
    # The organisation stays: the contribution was made on its behalf.
    comments.update(
        author_name=ERASED_NAME, user_name="", user_email="", user_url="", ip_address=None, followup=False
    )
    if contributions == REMOVE:
        comments.update(
            comment="",
            hidden_at=now,
            hidden_by=None,
            hidden_reason=REMOVED_AT_AUTHORS_REQUEST,
        )
        # Their earlier wordings go with the text.
        CommentRevision.objects.filter(comment__user=user).delete()
        # Open reports on them have nothing left to judge.
        CommentReport.objects.filter(comment__user=user, resolved_at__isnull=True).update(
            resolved_at=now, resolution=CommentReport.Resolution.HIDDEN
        )


def _erase_proposals(*, user, contributions, now):
    Proposal.objects.filter(decided_by=user).update(decided_by_name=ERASED_NAME)
    proposals = Proposal.objects.filter(author=user)
    proposals.update(author_name=ERASED_NAME)
    if contributions == REMOVE:
        proposals.update(
            text=REMOVED_AT_AUTHORS_REQUEST, rationale=REMOVED_AT_AUTHORS_REQUEST, removed_at=now
        )


def _reindex(items):
    """The search index follows the queryset updates above (which send no save signal):
    removed text leaves it; kept text is indexed again as it now reads."""
    for item in items:
        if item.search_text():
            index.insert_or_update_object(item)
        else:
            index.remove_object(item)


def _erase_reactions(*, user, reactions):
    if reactions == REMOVE:
        targets = set(Reaction.objects.filter(user=user).values_list("paper_id", "target_kind", "target_id"))
        Reaction.objects.filter(user=user).delete()
        for paper_id, kind, target_id in targets:
            transaction.on_commit(
                partial(broadcast.tally_changed, paper_id=paper_id, target_key=f"{kind}:{target_id}")
            )
    # Kept reactions stay on the erased account, which holds nothing about the
    # person: they count as before and lead to no one.


def _erase_record_names(*, user):
    """Empty the person's names (and their salts) in the record; the digests the chain covers stay."""
    RecordEntry.objects.filter(actor=user).update(actor_name="", actor_name_salt="")
    RecordEntry.objects.filter(subject=user).update(subject_name="", subject_name_salt="")
    StageChange.objects.filter(actor=user).update(actor_name=ERASED_NAME)


def _erase_group_traces(*, user, now):
    # Memberships stay as anonymous history (who spoke for which organisation when); open spells end.
    Membership.objects.filter(user=user, left_at__isnull=True).update(
        left_at=now, ended_reason=Membership.EndReason.LEFT, ended_by=user
    )
    JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).delete()
    JoinRequest.objects.filter(user=user).update(message="", organisation_name="", decision_note="")
    if user.email:
        Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
        Invitation.objects.filter(email__iexact=user.email).update(email="")
        Subscription.objects.filter(email__iexact=user.email).delete()
    Voice.objects.filter(user=user).delete()
    PaperFollow.objects.filter(user=user).delete()
    SectionFollow.objects.filter(user=user).delete()
    CommentReport.objects.filter(reporter=user).update(details="")


def person_names(user):
    """Every name the person went by, to be erased from texts that quote it."""
    full = f"{user.first_name} {user.last_name}".strip()
    return {user.display_name, full, user.pseudonym, user.username, user.public_name} - {"", ERASED_NAME}


def _erase_background_work(*, user):
    """Nothing waits to be sent to them, and no job or email row names them."""
    CommentNotification.objects.filter(recipient=user).delete()
    NotificationDigest.objects.filter(recipient=user).delete()
    digests = Job.objects.filter(handler="consultation.comments.services.comment_digest_send")
    digests.filter(kwargs__user_id=user.pk).exclude(status=Job.Status.RUNNING).delete()
    jobs_forget_person(
        addresses=[user.email],
        names=person_names(user),
        email_key_prefixes=email_key_prefixes(user),
        replacement=ERASED_NAME,
    )


@transaction.atomic
def account_erase(*, user, contributions=KEEP, reactions=KEEP):
    """Erase `user` at their request (UK GDPR article 17).

    Their email address, names, username and pseudonym go; so do their follows,
    email updates, pending requests and sign-in attempts, and the emails and
    notifications waiting for them (other people's waiting emails that quote
    their name or address say ERASED_NAME instead). `contributions`:
    KEEP shows their comments and proposals by ERASED_NAME with the
    organisation they spoke for; REMOVE replaces them by a public tombstone
    ("Removed at the author's request.", listed in the restriction register).
    `reactions`: KEEP leaves them in the tallies, tied to nothing that names
    anyone; REMOVE deletes them and the tallies are recounted (frozen reports
    never change). The record keeps verifying: only names outside its hashes
    are emptied. The account row stays, empty and unusable, so the history
    that points at it holds.
    """
    if contributions not in (KEEP, REMOVE) or reactions not in (KEEP, REMOVE):
        raise ValueError("Choose keep or remove.")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    _erase_comments(user=user, contributions=contributions, now=now)
    _erase_proposals(user=user, contributions=contributions, now=now)
    _reindex(Comment.objects.filter(user=user).select_related("paper", "section"))
    _reindex(Proposal.objects.filter(author=user).select_related("paper", "section"))
    _erase_reactions(user=user, reactions=reactions)
    _erase_record_names(user=user)
    _erase_group_traces(user=user, now=now)
    _erase_background_work(user=user)
    PersonalDataExport.objects.filter(user=user).delete()
    _delete_sign_in_attempts(AccessAttempt.objects.filter(username=user.username))
    user.groups.clear()
    user.user_permissions.clear()
    user.username = f"erased-{secrets.token_hex(8)}"
    user.email = ""
    user.first_name = user.last_name = user.display_name = user.pseudonym = user.organisation = ""
    user.use_pseudonym = False
    user.email_verified = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.erased_at = now
    user.set_unusable_password()
    user.save()
    return user


# ---------------------------------------------------------------- retention


def _unverified_account_ids(cutoff):
    """Accounts never confirmed, made before `cutoff`, never staff, and not yet erased."""
    return list(
        get_user_model()
        .objects.filter(
            email_verified=False,
            erased_at__isnull=True,
            date_joined__lt=cutoff,
            is_staff=False,
            is_superuser=False,
        )
        .values_list("pk", flat=True)
    )


@background
@transaction.atomic
def retention_apply(*, now=None):
    """Delete what the process no longer needs; returns what went, by kind (for the command's report).

    - accounts never confirmed after RETENTION_UNVERIFIED_ACCOUNT_DAYS: deleted; one that somehow left
      contributions or memberships is erased instead (the history that points at it holds);
    - invitations expired or withdrawn, and join requests decided, more than RETENTION_INVITATION_DAYS ago;
    - "register your interest" addresses never confirmed within their link's week;
    - stored data exports whose download link has expired (PRIVACY_EXPORT_LINK_HOURS);
    - django-axes' wrong-password records (usernames and IP addresses) once the lockout they serve is over.
    """
    now = now or timezone.now()
    done = {}
    User = get_user_model()
    cutoff = now - timedelta(days=settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS)
    ids = _unverified_account_ids(cutoff)
    with_history = set(
        User.objects.filter(pk__in=ids)
        .filter(Q(comment_comments__isnull=False) | Q(proposals__isnull=False) | Q(memberships__isnull=False))
        .values_list("pk", flat=True)
    )
    for user in User.objects.filter(pk__in=with_history):
        account_erase(user=user)
    done["unverified accounts erased"] = len(with_history)
    deleted = User.objects.filter(pk__in=set(ids) - with_history).delete()[1]
    done["unverified accounts deleted"] = deleted.get(User._meta.label, 0)

    closed = now - timedelta(days=settings.RETENTION_INVITATION_DAYS)
    stale = Q(accepted_at__isnull=True, expires_at__lt=closed) | Q(revoked_at__lt=closed)
    done["invitations purged"] = Invitation.objects.filter(stale).delete()[0]
    decided = JoinRequest.objects.exclude(status=JoinRequest.Status.PENDING)
    done["join requests purged"] = decided.filter(decided_at__lt=closed).delete()[0]
    done["unconfirmed email-update addresses purged"] = subscriptions_purge_unconfirmed()

    expired = export_expired_before(now)
    done["data exports deleted"] = PersonalDataExport.objects.filter(
        Q(built_at__lt=expired) | Q(built_at=None, requested_at__lt=expired)
    ).delete()[0]

    lockout = now - timedelta(hours=settings.AXES_COOLOFF_TIME)
    done["sign-in attempts purged"] = (
        _delete_sign_in_attempts(AccessAttempt.objects.filter(attempt_time__lt=lockout))
        + AccessFailureLog.objects.filter(attempt_time__lt=lockout).delete()[0]
    )
    return done


def _delete_sign_in_attempts(attempts):
    """Delete django-axes' wrong-password rows with one statement and no signals: axes' row
    hooks call its handler, and the cache handler (used with Redis) has none, so a row left
    from the database handler would otherwise make the deletion fail. The rows hold nothing
    that anything else refers to."""
    return attempts._raw_delete(attempts.db)
