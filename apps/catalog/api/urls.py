"""Catalog API routes (read-only, under /api/v1/catalog/) and the stateless validator."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.catalog.api import views
from apps.catalog.api.validate import ChannelValidateApi

router = SimpleRouter()
router.register("catalog/fiber-types", views.FiberTypeViewSet, basename="catalog-fiber-type")
router.register(
    "catalog/connector-types", views.ConnectorTypeViewSet, basename="catalog-connector-type"
)
router.register("catalog/loss-grades", views.LossGradeViewSet, basename="catalog-loss-grade")
router.register("catalog/splice-types", views.SpliceTypeViewSet, basename="catalog-splice-type")
router.register("catalog/applications", views.ApplicationViewSet, basename="catalog-application")
router.register("catalog/products", views.ProductViewSet, basename="catalog-product")

urlpatterns = [
    path("validate/", ChannelValidateApi.as_view(), name="validate"),
    *router.urls,
]
