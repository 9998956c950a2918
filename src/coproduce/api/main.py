"""The API (mounted at /api/v1/ by config/urls.py): one NinjaAPI, one router per area.

Every operation needs a personal access token (`Authorization: Bearer …`); the OpenAPI document
at /api/v1/openapi.json does not. The interactive docs page is off: it would load its scripts
from a CDN, and nothing here is loaded from one.
"""

from __future__ import annotations

from ninja import NinjaAPI

from coproduce.api import (
    account,
    codesign,
    conversations,
    coordination,
    exchanges,
    listing_changes,
    listings,
    me,
    pools,
    profile,
    referrals,
)
from coproduce.api.auth import BearerToken
from coproduce.api.errors import install_error_handlers

api = NinjaAPI(
    title="Coproduce API",
    version="1",
    description=(
        "The time bank: me, offers and requests, exchanges, my statement and gifts. Times are "
        "integer minutes. Authenticate with a personal access token as "
        "`Authorization: Bearer <token>`. POSTs honour an `Idempotency-Key` header (required "
        "for gifts): a retry with the same key returns the first response."
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs_url=None,
)
install_error_handlers(api)
# listing_changes adds its operations to the listings router.
_ = listing_changes
for module in (
    me,
    profile,
    listings,
    exchanges,
    account,
    conversations,
    referrals,
    pools,
    codesign,
    coordination,
):
    api.add_router("", module.router)
