"""The coordinator's pages, mounted at /coordinator/ in the "coordinator" namespace.

The two-step sign-in "Security" page (`coordinator:security`) lives with sign-in in `web`;
config/urls.py puts it in front of these, since the sections' keys are slugs too.
"""

from django.urls import path

from coproduce.coordination import settings_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", settings_views.timebank_settings, name="settings"),
    path("<slug:key>/", views.section, name="section"),
]
