import rules
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from core.emails import email_key

# What is shown for a person who erased their account (and in the record where their name was).
ERASED_NAME = "A former participant"


class User(AbstractUser):
    """A person who takes part. Names shown publicly come from `public_name`."""

    display_name = models.CharField(
        max_length=120, blank=True, help_text="The name shown beside your comments."
    )
    organisation = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional. Members of working groups speak for the organisation in their membership.",
    )
    pseudonym = models.CharField(
        max_length=80, blank=True, help_text="Members of the public may show this instead of their name."
    )
    use_pseudonym = models.BooleanField(default=False)
    email_verified = models.BooleanField(default=False)
    # The mailbox the address reaches (core/emails.py), kept in step by save().
    email_key = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    # Set when the person erased their account: the row stays, with no personal
    # data, so the history that points at it (memberships, kept contributions) holds.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["username"]
        constraints = [
            # One confirmed voter per mailbox, whatever +tags or dots they type.
            models.UniqueConstraint(
                fields=["email_key"],
                condition=Q(email_verified=True) & ~Q(email_key=""),
                name="accounts_one_verified_account_per_mailbox",
            )
        ]

    def save(self, *args, **kwargs):
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    @property
    def public_name(self):
        if self.erased_at is not None:
            return ERASED_NAME
        if self.use_pseudonym and self.pseudonym:
            return self.pseudonym
        return self.display_name or self.get_full_name() or self.username

    def __str__(self):
        return self.public_name

    def has_perm(self, perm, obj=None):
        # Django answers yes to every permission of an active superuser before
        # any backend runs. The project's rules decide for themselves (they let
        # superusers administer, not take part as someone else), so a
        # permission that is a rule goes to `rules` for everyone alike.
        if rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)
