"""Catalog reads: querysets for the API and admin, and the catalog version."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from apps.catalog.adapters import catalog_version_key
from apps.catalog.models import (
    Application,
    ApplicationLimit,
    ConnectorType,
    FiberType,
    Layout,
    LossGrade,
    Product,
    SpliceType,
)
from apps.catalog.querysets import ProductQuerySet


def fiber_type_list() -> QuerySet[FiberType]:
    """Every fibre type."""
    return FiberType.objects.order_by("code")


def connector_type_list() -> QuerySet[ConnectorType]:
    """Every connector family."""
    return ConnectorType.objects.order_by("code")


def loss_grade_list() -> QuerySet[LossGrade]:
    """Every connector loss grade, best first."""
    return LossGrade.objects.order_by("rank", "code")


def splice_type_list() -> QuerySet[SpliceType]:
    """Every splice kind."""
    return SpliceType.objects.order_by("code")


def layout_list() -> QuerySet[Layout]:
    """Every MDI lane layout."""
    return Layout.objects.order_by("name")


def application_list() -> QuerySet[Application]:
    """Every application with its limits (and their fibre types) prefetched: 2 queries."""
    limits = ApplicationLimit.objects.select_related("fiber_type").order_by("fiber_type__code")
    return Application.objects.prefetch_related(Prefetch("limits", queryset=limits)).order_by(
        "code"
    )


def product_list(*, include_retired: bool = True) -> ProductQuerySet:
    """Products with their fibre type, application and current revision number: 1 query."""
    products = Product.objects.with_labels().with_revision_number().order_by("code")
    return products if include_retired else products.active()


def product_detail_list() -> ProductQuerySet:
    """`product_list()` plus the current revision prefetched (its spec): 2 queries."""
    return product_list().with_current_revision()


def catalog_version_get() -> int:
    """The catalog version: how many catalog writes there have been (0 before the first)."""
    return catalog_version_key()[0]
