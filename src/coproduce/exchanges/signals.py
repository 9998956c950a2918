"""What exchanges tell the apps beside them, so exchanges never imports them.

`exchange_confirmed` is sent inside the confirming transaction, once per exchange, when its
credits move (confirmed by a member, logged by a coordinator, or resolved from a dispute). A
receiver that raises rolls the confirmation back, so receivers catch what they can live with.
Partners' receiver moves a referral on at the referred person's first exchange
(partners/receivers.py).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `exchange` (the Exchange, status confirmed, confirmed_at set), `people` (the ids of
# the persons taking part, either side) and `acting` (the Person who confirmed).
exchange_confirmed = Signal()
