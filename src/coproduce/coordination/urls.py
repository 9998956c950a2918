"""The coordinator's pages, mounted at /coordinator/."""

from django.urls import path

from coproduce.web import coordinator, two_factor

app_name = "coordinator"
urlpatterns = [
    path("", coordinator.dashboard, name="dashboard"),
    # Before the sections, whose keys are slugs too.
    path("security/", two_factor.security, name="security"),
    path("<slug:key>/", coordinator.section, name="section"),
]
