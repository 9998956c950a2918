"""The project's URLs with the API mounted at /api/v1/, for as long as config/urls.py does not
mount it itself (services build links to web pages, so those must be routed too)."""

from django.urls import path

from coproduce.api.main import api
from coproduce.config.urls import urlpatterns as project_urlpatterns

_mounted = any(getattr(p, "namespace", None) == api.urls_namespace for p in project_urlpatterns)
urlpatterns = list(project_urlpatterns)
if not _mounted:
    urlpatterns.insert(0, path("api/v1/", api.urls))
