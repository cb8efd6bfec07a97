"""The REST API, mounted at /api/v1/: each app contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.catalog.api.urls")),
    path("", include("apps.plant.api.urls")),
    path("", include("apps.audits.api.urls")),
]
