"""The site administrator's pages, at /site/ (a 404 for everyone else)."""

from django.urls import path

from coproduce.administration import views

app_name = "site_admin"
urlpatterns = [
    path("", views.home, name="home"),
    path("timebanks/new/", views.timebank_new, name="timebank_new"),
    path("timebanks/<slug:slug>/", views.timebank, name="timebank"),
    path("timebanks/<slug:slug>/invite/", views.coordinator_invite, name="coordinator_invite"),
    path(
        "invitations/<uuid:public_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<uuid:public_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
