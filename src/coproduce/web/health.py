"""GET /healthz: is the app up, and can it reach its database (and its read replica)?

200 `{"status": "ok", "database": "ok"}` while the primary answers; 503 `{"status": "error",
"database": "unreachable", "detail": …}` while it does not (a load balancer takes the host out of
service; it comes back by itself when the database does). With a read replica configured,
`"replica"` says `ok`, `lagging` or `unreachable`: reads then go to the primary, so the answer
stays 200.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from coproduce.core.db_router import replica_status


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": detail}, status=503
        )
    body: dict[str, object] = {"status": "ok", "database": "ok"}
    replica = replica_status()
    if replica.configured:
        body["replica"] = replica.state
        if replica.lag_seconds is not None:
            body["replica_lag_seconds"] = round(replica.lag_seconds, 1)
    return JsonResponse(body)
