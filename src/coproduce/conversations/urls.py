"""The "conversations" namespace, mounted at /messages/."""

from django.urls import path

from coproduce.conversations import views

app_name = "conversations"
urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("reports/", views.reports, name="reports"),
    path("offers/<uuid:public_id>/", views.conversation_start, {"kind": "offer"}, name="offer"),
    path(
        "requests/<uuid:public_id>/", views.conversation_start, {"kind": "request"}, name="request"
    ),
    path("exchanges/<uuid:public_id>/", views.exchange_write, name="exchange"),
    path("people/<uuid:public_id>/block/", views.block, name="block"),
    path("people/<uuid:public_id>/unblock/", views.unblock, name="unblock"),
    path("<uuid:public_id>/", views.conversation_detail, name="conversation"),
    path("<uuid:public_id>/report/<uuid:message_id>/", views.message_report, name="report"),
]
