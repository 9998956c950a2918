"""The coordinator's pages, mounted at /coordinator/ in the "coordinator" namespace.

The two-step sign-in "Security" page (`coordinator:security`) lives with sign-in in `web`;
config/urls.py puts it in front of these, since the sections' keys are slugs too.
"""

from django.urls import path

from coproduce.coordination import invitation_views, settings_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", settings_views.timebank_settings, name="settings"),
    # Before the sections: their keys are slugs too.
    path("invitations/", invitation_views.invitations, name="invitations"),
    path("invitations/new/", invitation_views.invitation_new, name="invitation_new"),
    path(
        "invitations/<uuid:public_id>/resend/",
        invitation_views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<uuid:public_id>/revoke/",
        invitation_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<slug:key>/", views.section, name="section"),
]
