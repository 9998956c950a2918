"""The coordinator's pages, mounted at /coordinator/."""

from django.urls import path

from coproduce.web import coordinator

app_name = "coordinator"
urlpatterns = [
    path("", coordinator.dashboard, name="dashboard"),
    path("<slug:key>/", coordinator.section, name="section"),
]
