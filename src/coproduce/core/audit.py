"""Writing audit rows (one per write that matters)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coproduce.core.models import AuditEvent

if TYPE_CHECKING:
    from coproduce.community.models import Person


def audit_record(
    *,
    action: str,
    actor: Person | None,
    timebank_id: int | None = None,
    on_behalf_of: Person | None = None,
    target: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        timebank_id=timebank_id,
        on_behalf_of=on_behalf_of,
        target=target,
        data=data or {},
    )
