"""What community tells the apps above it.

Community never imports the ledger, yet a membership that becomes active must have its
time-credit account open in the same transaction (issue 12, "Accounts open on activation"). So
every path that makes a membership active (an induction, a coordinator's change of status, an
invitation accepted, a referral inducted) sends `membership_activated` inside its transaction,
and the ledger's receiver (ledger/receivers.py) opens the account; a refusal there rolls the
activation back.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `membership` (the Membership that has just become active).
membership_activated = Signal()
