"""Only the sign-in pages and the coordinator's: the project as it was before the pages the
dashboard links to were built, so the test proves the dashboard still works without them."""

from django.urls import include, path

urlpatterns = [
    path("coordinator/", include("coproduce.web.coordinator_urls")),
    path("", include("coproduce.web.urls")),
]
