"""What an erasure tells the apps above privacy.

Privacy may not import the API (no product app imports web or api), yet an erasure must revoke
the person's API tokens in the same transaction. So the erasure sends `person_erased` inside its
transaction, and the API's receiver (api/receivers.py) revokes the tokens; a refusal there rolls
the whole erasure back, as before.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `person` (the Person being erased) and `timebank_ids` (the time banks erased from).
person_erased = Signal()
