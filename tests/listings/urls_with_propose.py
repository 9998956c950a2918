"""The site's URLs plus a stand-in "propose an exchange" page, for the detail page's link."""

from django.http import HttpResponse
from django.urls import include, path

from coproduce.exchanges import listing_urls


def _stand_in(request):
    return HttpResponse("propose")


exchanges = (
    [*listing_urls.urlpatterns, path("exchanges/new/", _stand_in, name="exchange_new")],
    "exchanges",
)
urlpatterns = [
    path("", include(exchanges)),
    path("", include("coproduce.web.urls")),
]
