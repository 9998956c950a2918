"""Exchange pages; concatenated into the "exchanges" namespace by exchanges/urls.py."""

from django.urls import path

from coproduce.exchanges import exchange_views as views

urlpatterns = [
    path("exchanges/", views.exchanges, name="exchanges"),
    path("exchanges/new/", views.exchange_new, name="exchange_new"),
    path("exchanges/log/", views.exchange_log, name="exchange_log"),
    path("exchanges/<uuid:public_id>/", views.exchange_detail, name="exchange"),
    path("exchanges/<uuid:public_id>/agree/", views.exchange_agree, name="exchange_agree"),
    path("exchanges/<uuid:public_id>/done/", views.exchange_done, name="exchange_done"),
    path("exchanges/<uuid:public_id>/confirm/", views.exchange_confirm, name="exchange_confirm"),
    path("exchanges/<uuid:public_id>/cancel/", views.exchange_cancel, name="exchange_cancel"),
    path("exchanges/<uuid:public_id>/dispute/", views.exchange_dispute, name="exchange_dispute"),
    path("exchanges/<uuid:public_id>/resolve/", views.exchange_resolve, name="exchange_resolve"),
    path("exchanges/<uuid:public_id>/reverse/", views.exchange_reverse, name="exchange_reverse"),
    path("exchanges/<uuid:public_id>/feedback/", views.exchange_feedback, name="exchange_feedback"),
]
