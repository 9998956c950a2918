"""Offers and requests. One set of views serves both; `kind` tells them which."""

from django.urls import path

from coproduce.exchanges import listing_views as views

urlpatterns = []
for kind, plural in (("offer", "offers"), ("request", "requests")):
    k = {"kind": kind}
    urlpatterns += [
        path(f"{plural}/", views.listing_list, k, name=plural),
        path(f"{plural}/new/", views.listing_new, k, name=f"{kind}_new"),
        path(f"{plural}/<uuid:public_id>/", views.listing_detail, k, name=kind),
        path(f"{plural}/<uuid:public_id>/edit/", views.listing_edit, k, name=f"{kind}_edit"),
    ]
    urlpatterns += [
        path(
            f"{plural}/<uuid:public_id>/{action}/",
            views.listing_action,
            {**k, "action": action},
            name=f"{kind}_{action}",
        )
        for action in views.ACTIONS
    ]
