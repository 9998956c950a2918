"""Credit Commons URLs: the protocol's endpoints (`protocol_urlpatterns`, mounted at
`/cc/<slug>/` by config.urls) and the pages (`urlpatterns`, at `/creditcommons/`)."""

from django.urls import path

from coproduce.creditcommons import endpoints, views

app_name = "creditcommons"

urlpatterns = [
    path("", views.federation, name="federation"),
    path("pay/", views.pay, name="pay"),
    path("links/<uuid:public_id>/pause/", views.pause, name="pause"),
]

protocol_urlpatterns = [
    path("", endpoints.welcome, name="welcome"),
    path("transaction/relay", endpoints.relay, name="relay"),
    path("transaction/<uuid:uuid>", endpoints.transaction_show, name="transaction"),
    path(
        "transaction/<uuid:uuid>/<str:state>",
        endpoints.transaction_state,
        name="transaction_state",
    ),
    path("account", endpoints.account, name="account"),
    path("account/history", endpoints.account_history, name="account_history"),
]
