"""The REST API (/api/v1/): django-ninja routers, one module per area, personal access tokens."""
