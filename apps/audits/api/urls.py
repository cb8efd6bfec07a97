"""Audit API routes, mounted at /api/v1/ by config/api_urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.audits.api import views

router = SimpleRouter()
router.register("audits", views.AuditRunViewSet, basename="audit")

urlpatterns = [
    path("halls/<int:hall_id>/audits/", views.HallAuditStartApi.as_view(), name="hall-audit-start"),
    *router.urls,
]
