"""Who may manage a working group, join it or leave it.

Named rules, asked as `user.has_perm("workinggroups.<rule>", group)`. Whether a
group's members may comment, react, propose or sign off on a consultation is
decided by the consultation's rules (consultation/rules.py), not here.
"""

import rules

from .models import Membership


def current_membership(user, group):
    """The user's open spell in this group, or None. Cached on the user for the request."""
    if group is None or not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_group_memberships", {})
    if group.pk not in cache:
        cache[group.pk] = Membership.objects.current().filter(user=user, group=group).first()
    return cache[group.pk]


@rules.predicate
def is_group_convenor(user, group):
    membership = current_membership(user, group)
    return membership is not None and membership.role == Membership.Role.CONVENOR


@rules.predicate
def is_group_member(user, group):
    """Any current role, observers included."""
    return current_membership(user, group) is not None


@rules.predicate
def has_verified_email(user):
    return user.is_authenticated and user.is_active and bool(getattr(user, "email_verified", False))


is_staff = rules.is_active & (rules.is_staff | rules.is_superuser)

# Invite, approve or decline requests, change roles, remove members.
rules.add_perm("workinggroups.manage_group", is_staff | (rules.is_active & is_group_convenor))

# Asking to join needs a verified address: the convenor must know who is asking.
rules.add_perm("workinggroups.request_to_join", has_verified_email & ~is_group_member)

rules.add_perm("workinggroups.leave_group", rules.is_authenticated & rules.is_active & is_group_member)
