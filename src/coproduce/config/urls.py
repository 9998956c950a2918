from django.urls import include, path

from coproduce.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("coproduce.web.urls")),
]
