"""The latest of moments any of which may be missing, computed in the database the same way on
SQLite and PostgreSQL.

PostgreSQL's GREATEST() skips NULLs; SQLite's MAX() of several values is NULL as soon as one of
them is. So each moment stands in for "never" by a date before any exchange (`NEVER`), and the
latest is turned back into NULL when it is that date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Value
from django.db.models.functions import Coalesce, Greatest, NullIf

NEVER = datetime(1900, 1, 1, tzinfo=UTC)


def latest_of(*moments: Any) -> NullIf:
    """The latest of these moments (field names or expressions), NULL if every one is NULL."""
    never = [Coalesce(moment, Value(NEVER)) for moment in moments]
    return NullIf(Greatest(*never) if len(never) > 1 else never[0], Value(NEVER))
