"""Working groups and who belongs to them, re-exported so `workinggroups.models.X` works.

This app knows nothing of consultations (the dependency points one way:
`consultation` imports `workinggroups`, never the reverse).
"""

from .groups import Membership, MembershipQuerySet, Organisation, WorkingGroup
from .invitations import Invitation, JoinRequest
from .signoffs import POSITIONS_NEEDING_STATEMENT, Position, SectionPosition, SignOff

__all__ = [
    "POSITIONS_NEEDING_STATEMENT",
    "Invitation",
    "JoinRequest",
    "Membership",
    "MembershipQuerySet",
    "Organisation",
    "Position",
    "SectionPosition",
    "SignOff",
    "WorkingGroup",
]
