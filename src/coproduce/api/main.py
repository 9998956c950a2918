"""The API (mounted at /api/v1/ by config/urls.py): one NinjaAPI, one router per area.

Every operation needs a personal access token (`Authorization: Bearer …`); the OpenAPI document
at /api/v1/openapi.json and the interactive docs at /api/v1/docs (Swagger UI, vendored: see
`api/docs.py`) do not.
"""

from __future__ import annotations

from ninja import NinjaAPI

from coproduce.api import (
    account,
    broker,
    codesign,
    codesign_steps,
    codesign_writes,
    conversations,
    coordination,
    coordinator_settings,
    dashboard_lists,
    exchange_steps,
    exchanges,
    listing_changes,
    listings,
    matching,
    me,
    member_edit,
    notifications,
    organisations,
    pools,
    privacy,
    profile,
    referral_report,
    referral_steps,
    referrals,
    sign_in_link,
)
from coproduce.api.auth import BearerToken
from coproduce.api.docs import VendoredSwagger
from coproduce.api.errors import install_error_handlers

api = NinjaAPI(
    title="Coproduce API",
    version="1",
    description=(
        "The time bank, as on the web: me and my profile, offers and requests (with photos), "
        "exchanges, conversations, my statement and gifts, notifications, privacy, matching, "
        "organisations, referrals, pools, co-design, and a coordinator's work and reports. "
        "Times are integer minutes. Authenticate with a "
        "personal access token as `Authorization: Bearer <token>`; changes need a token with "
        "write access. Lists are paged by cursor: pass a page's `next_cursor` as `cursor` for "
        "the next (`limit` 1 to 100), in a stable order. POSTs honour an `Idempotency-Key` "
        "header (required where credits move): a retry with the same key returns the first "
        "response."
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs=VendoredSwagger(),
    docs_url="/docs",
)
install_error_handlers(api)
# listing_changes, codesign_writes and codesign_steps add their operations to the listings and
# codesign routers.
_ = listing_changes, codesign_writes, codesign_steps
for module in (
    me,
    profile,
    listings,
    # Before exchanges: its /exchanges/log must come before /exchanges/{public_id}.
    exchange_steps,
    exchanges,
    account,
    conversations,
    # Before referrals: /referrals/report is not a referral's id.
    referral_report,
    referrals,
    pools,
    codesign,
    coordination,
    coordinator_settings,
    notifications,
    privacy,
    matching,
    organisations,
    member_edit,
    referral_steps,
    # Round 14: the broker queue and matching settings, a member's sign-in link, the
    # dashboard's "see all" lists.
    broker,
    sign_in_link,
    dashboard_lists,
):
    api.add_router("", module.router)
