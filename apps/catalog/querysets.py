"""Chainable vocabulary for catalog querysets (no business rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import OuterRef, Prefetch, Subquery

if TYPE_CHECKING:
    from apps.catalog.models import Product  # noqa: F401


class CatalogRowQuerySet(models.QuerySet):
    def seeded(self) -> CatalogRowQuerySet:
        return self.filter(origin="seed")

    def local(self) -> CatalogRowQuerySet:
        return self.filter(origin="local")


class ProductQuerySet(CatalogRowQuerySet):
    def active(self) -> ProductQuerySet:
        return self.filter(retired=False)

    def of_kind(self, *kinds: str) -> ProductQuerySet:
        return self.filter(kind__in=kinds)

    def with_labels(self) -> ProductQuerySet:
        """Join the fibre type and application a product row shows."""
        return self.select_related("fiber_type", "application")

    def with_revision_number(self) -> ProductQuerySet:
        """Annotate `revision_number`: the current revision's number (no extra query)."""
        from apps.catalog.models import ProductRevision

        current = ProductRevision.objects.filter(product=OuterRef("pk"), is_current=True)
        return self.annotate(revision_number=Subquery(current.values("number")[:1]))

    def with_current_revision(self) -> ProductQuerySet:
        """Prefetch the current revision into `current_revisions` (a list of at most one)."""
        from apps.catalog.models import ProductRevision

        return self.prefetch_related(
            Prefetch(
                "revisions",
                queryset=ProductRevision.objects.filter(is_current=True),
                to_attr="current_revisions",
            )
        )

    def with_family(self, *families: Any) -> ProductQuerySet:
        """Products with a face of any of the connector families."""
        return self.filter(families__overlap=list(families))
