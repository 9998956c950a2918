"""Offers and requests (listing_urls) and the exchanges arranged from them (exchange_urls)."""

from coproduce.exchanges import exchange_urls, listing_urls

app_name = "exchanges"
urlpatterns = listing_urls.urlpatterns + exchange_urls.urlpatterns
