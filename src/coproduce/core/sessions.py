"""Django's database sessions, read with one fixed SQL statement instead of a queryset.

Every signed-in request reads its session first (issue 17: building and compiling the ORM's
`Session.objects.get(session_key=…, expire_date__gt=now)` cost several times the query itself).
The read is the same: the row of this key that has not expired, by the same router and connection
(so the database's errors, and the 503 page for them, are unchanged); no row means no session and
a new key on the next save, as Django does (a key the browser made up is never adopted). Writes,
expiry, rotation (`cycle_key`) and `clearsessions` are Django's own (`SESSION_ENGINE`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

_COLUMNS = ("session_data", "session_key", "expire_date")


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        model = self.model
        connection = connections[router.db_for_read(model)]
        meta = model._meta
        table = connection.ops.quote_name(meta.db_table)
        data, key, expires = (
            connection.ops.quote_name(getattr(meta.get_field(name), "column", None) or name)
            for name in _COLUMNS
        )
        # Names from the model, quoted; the values are parameters.
        sql = f"SELECT {data} FROM {table} WHERE {key} = %s AND {expires} > %s"  # noqa: S608
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
