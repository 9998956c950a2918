from django.urls import include, path

from coproduce.api.main import api
from coproduce.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("coproduce.community.urls")),
    path("", include("coproduce.exchanges.urls")),
    path("account/", include("coproduce.members.urls.account")),
    path("two-step/", include("coproduce.web.two_factor_urls")),
    path("notifications/", include("coproduce.web.notification_urls")),
    path("coordinator/", include("coproduce.web.coordinator_urls")),
    path("members/", include("coproduce.members.urls.members")),
    path("partners/", include("coproduce.partners.urls")),
    path("codesign/", include("coproduce.codesign.urls")),
    path("matching/", include("coproduce.matching.urls")),
    path("insights/", include("coproduce.insights.urls")),
    path("privacy/", include("coproduce.privacy.urls")),
    path("", include("coproduce.web.urls")),
]
