"""Signals other apps listen to.

They are sent inside the transaction that made the change, so a receiver
that writes (the consultation app appends to its public process record, see
consultation/signals.py) commits or rolls back with it. Receivers that send
email or broadcast must defer that with `transaction.on_commit`. This app does
not know who listens.
"""

from django.dispatch import Signal

# kwargs: membership, change ("joined", "left", "removed", "role_changed",
# "organisation_changed"), actor, previous (the closed spell for a change, else None)
membership_changed = Signal()

# kwargs: signoff, actor, superseded (the previous position for this version, or None)
signoff_recorded = Signal()
