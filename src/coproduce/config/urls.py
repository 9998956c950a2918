from django.urls import include, path, re_path

from coproduce.api.main import api
from coproduce.coordination.urls import urlpatterns as coordination_urlpatterns
from coproduce.creditcommons.urls import protocol_urlpatterns as creditcommons_protocol
from coproduce.web.health import healthz
from coproduce.web.media import media
from coproduce.web.two_factor import security

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    # Credit Commons nodes call these (docs/DESIGN.md, "Credit Commons"); people use the pages.
    path("cc/<slug:slug>/", include((creditcommons_protocol, "cc"))),
    path("creditcommons/", include("coproduce.creditcommons.urls")),
    path("", include("coproduce.community.urls")),
    path("", include("coproduce.exchanges.urls")),
    path("account/", include("coproduce.members.urls.account")),
    path("two-step/", include("coproduce.web.two_factor_urls")),
    path("notifications/", include("coproduce.web.notification_urls")),
    # The coordinator's downloads, before the sections, whose keys are slugs too.
    path("coordinator/exports/", include("coproduce.portability.urls")),
    path("messages/", include("coproduce.conversations.urls")),
    # Partner banks (coordinator/partner-banks/…, partner-banks/…), before the sections too.
    path("", include("coproduce.federation.urls")),
    # The Security page (two-step sign-in, in web) before the sections, whose keys are slugs too.
    path(
        "coordinator/",
        include(
            (
                [path("security/", security, name="security"), *coordination_urlpatterns],
                "coordinator",
            )
        ),
    ),
    path("members/", include("coproduce.members.urls.members")),
    path("partners/", include("coproduce.partners.urls")),
    path("codesign/", include("coproduce.codesign.urls")),
    path("matching/", include("coproduce.matching.urls")),
    path("insights/", include("coproduce.insights.urls")),
    path("privacy/", include("coproduce.privacy.urls")),
    path("site/", include("coproduce.administration.urls")),
    path("", include("coproduce.web.urls")),
]

# Uploaded pictures, from the app itself unless a web server in front serves /media/ first
# (docs/OPERATIONS.md, "Uploaded files").
urlpatterns += [re_path(r"^media/(?P<path>.+)$", media, name="media")]

# Django's own refusals (a form too large to read, a bad Host) on the site's own page.
handler400 = "coproduce.web.errors.bad_request"
handler500 = "coproduce.web.unavailable.server_error"
