"""Working groups, the organisations members speak for, and membership spells."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Organisation(models.Model):
    """A body a member speaks for: a charity, a think tank, a public body."""

    class Kind(models.TextChoices):
        CHARITY = "charity", "Charity"
        THINK_TANK = "think_tank", "Think tank"
        ACADEMIC = "academic", "University or research body"
        PUBLIC_BODY = "public_body", "Public body"
        INDEPENDENT = "independent", "Independent expert"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkingGroup(models.Model):
    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    remit = models.TextField(help_text="What the group examines and why.")
    topics = models.CharField(
        max_length=300, blank=True, help_text="Topics it examines, separated by commas."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workinggroups:detail", kwargs={"slug": self.slug})

    @property
    def topic_list(self):
        return [topic.strip() for topic in self.topics.split(",") if topic.strip()]


class MembershipQuerySet(models.QuerySet):
    def current(self, at=None):
        at = at or timezone.now()
        return self.filter(joined_at__lte=at).filter(Q(left_at__isnull=True) | Q(left_at__gt=at))

    def past(self):
        return self.filter(left_at__isnull=False, left_at__lte=timezone.now())

    def convenors(self):
        return self.filter(role=Membership.Role.CONVENOR)


class Membership(models.Model):
    """One spell of a person in a group, with one role and one organisation.

    Leaving closes the spell; it is never deleted, because past comments cite the
    organisation the person spoke for then. A change of role or organisation also
    closes the spell and opens a new one, so each row answers "who was this
    person, for whom did they speak, and what could they do" for its dates."""

    class Role(models.TextChoices):
        CONVENOR = "convenor", "Convenor"
        MEMBER = "member", "Member"
        OBSERVER = "observer", "Observer"

    class EndReason(models.TextChoices):
        LEFT = "left", "Left the group"
        REMOVED = "removed", "Removed by a convenor"
        ROLE_CHANGED = "role_changed", "Role changed"
        ORGANISATION_CHANGED = "organisation_changed", "Organisation changed"

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=30, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who closed this spell: the member, a convenor or staff.",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "role", "joined_at"]
        constraints = [
            # One open spell per person per group at a time.
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(left_at__isnull=True),
                name="one_current_membership_per_group",
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.group} ({self.get_role_display()})"

    @property
    def is_current(self):
        now = timezone.now()
        return self.joined_at <= now and (self.left_at is None or self.left_at > now)

    @property
    def organisation_name(self):
        return self.organisation.name if self.organisation else "Independent"
