"""The "federation" namespace: the coordinator's partner banks, and a partner bank's offers and
requests for members."""

from django.urls import path

from coproduce.federation import views

app_name = "federation"

urlpatterns = [
    path("coordinator/partner-banks/", views.partnerships, name="partnerships"),
    path("coordinator/partner-banks/<uuid:public_id>/", views.partnership, name="partnership"),
    *[
        path(
            f"coordinator/partner-banks/<uuid:public_id>/{step}/",
            views.partnership_step,
            {"step": step},
            name=f"partnership_{step}",
        )
        for step in views.STEPS
    ],
    path(
        "partner-banks/offers/<uuid:public_id>/",
        views.partner_listing,
        {"kind": "offer"},
        name="offer",
    ),
    path(
        "partner-banks/requests/<uuid:public_id>/",
        views.partner_listing,
        {"kind": "request"},
        name="request",
    ),
]
