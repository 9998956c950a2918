"""The "exchanges" namespace: offers and requests (one set of views serves both; `kind` tells
them which), and the exchanges arranged from them."""

from django.urls import path

from coproduce.exchanges.views import exchanges, listings, photos

app_name = "exchanges"

urlpatterns = []
for kind, plural in (("offer", "offers"), ("request", "requests")):
    k = {"kind": kind}
    urlpatterns += [
        path(f"{plural}/", listings.listing_list, k, name=plural),
        path(f"{plural}/new/", listings.listing_new, k, name=f"{kind}_new"),
        path(f"{plural}/<uuid:public_id>/", listings.listing_detail, k, name=kind),
        path(f"{plural}/<uuid:public_id>/edit/", listings.listing_edit, k, name=f"{kind}_edit"),
        path(f"{plural}/<uuid:public_id>/photo/", photos.listing_photo, k, name=f"{kind}_photo"),
    ]
    urlpatterns += [
        path(
            f"{plural}/<uuid:public_id>/{action}/",
            listings.listing_action,
            {**k, "action": action},
            name=f"{kind}_{action}",
        )
        for action in listings.ACTIONS
    ]

urlpatterns += [
    path("exchanges/", exchanges.exchanges, name="exchanges"),
    path("exchanges/new/", exchanges.exchange_new, name="exchange_new"),
    path("exchanges/log/", exchanges.exchange_log, name="exchange_log"),
    path("exchanges/<uuid:public_id>/", exchanges.exchange_detail, name="exchange"),
    path("exchanges/<uuid:public_id>/agree/", exchanges.exchange_agree, name="exchange_agree"),
    path("exchanges/<uuid:public_id>/done/", exchanges.exchange_done, name="exchange_done"),
    path(
        "exchanges/<uuid:public_id>/confirm/", exchanges.exchange_confirm, name="exchange_confirm"
    ),
    path("exchanges/<uuid:public_id>/cancel/", exchanges.exchange_cancel, name="exchange_cancel"),
    path(
        "exchanges/<uuid:public_id>/dispute/", exchanges.exchange_dispute, name="exchange_dispute"
    ),
    path(
        "exchanges/<uuid:public_id>/resolve/", exchanges.exchange_resolve, name="exchange_resolve"
    ),
    path(
        "exchanges/<uuid:public_id>/reverse/", exchanges.exchange_reverse, name="exchange_reverse"
    ),
    path(
        "exchanges/<uuid:public_id>/feedback/",
        exchanges.exchange_feedback,
        name="exchange_feedback",
    ),
]
