"""Where catalog products are in use, read from the foreign keys that protect them.

Installed rows (the plant) point at a `ProductRevision`, and halls at a `Product`, with
`on_delete=PROTECT`. The catalog never imports the plant: it walks its own models'
`_meta.related_objects` and counts the rows of every protecting relation, whichever app owns it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from apps.catalog.models import Product, ProductRevision


@dataclass(frozen=True)
class Use:
    """Rows of one model that protect some products: e.g. 3 plant cables on revision r1."""

    label: str  # "plant.Cable"
    name: str  # "cables" (the model's verbose plural)
    count: int
    revision_numbers: tuple[int, ...]  # the revisions they point at (empty for product FKs)

    def __str__(self) -> str:
        on = ", ".join(f"r{n}" for n in self.revision_numbers)
        return f"{self.count} {self.name} ({self.label}{': ' + on if on else ''})"


def _protecting(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    # include_hidden: a relation named "+" (a hall's standard cord) protects as well.
    return [
        rel
        for rel in model._meta.get_fields(include_hidden=True)
        if isinstance(rel, models.ForeignObjectRel)
        and rel.on_delete is models.PROTECT
        and not rel.many_to_many
    ]


def product_uses(*, product_ids: Iterable[int]) -> dict[int, list[Use]]:
    """Per product id, the installed (protecting) rows pointing at it or at any of its revisions.

    One aggregate query per protecting relation, whatever the number of products.
    """
    ids = list(product_ids)
    out: dict[int, list[Use]] = {pk: [] for pk in ids}
    if not ids:
        return out
    for rel in _protecting(ProductRevision):
        related = rel.related_model
        field = rel.field.name
        rows = (
            related._base_manager.filter(**{f"{field}__product_id__in": ids})
            .values_list(f"{field}__product_id", f"{field}__number")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        per_product: dict[int, dict[int, int]] = {}
        for product_id, number, count in rows:
            per_product.setdefault(product_id, {})[number] = count
        for product_id, numbers in per_product.items():
            out[product_id].append(
                Use(
                    label=related._meta.label,
                    name=str(related._meta.verbose_name_plural),
                    count=sum(numbers.values()),
                    revision_numbers=tuple(sorted(numbers)),
                )
            )
    for rel in _protecting(Product):
        related = rel.related_model
        field = rel.field.name
        rows = (
            related._base_manager.filter(**{f"{field}__in": ids})
            .values_list(field)
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        for product_id, count in rows:
            out[product_id].append(
                Use(
                    label=related._meta.label,
                    name=f"{related._meta.verbose_name_plural} ({rel.field.verbose_name})",
                    count=count,
                    revision_numbers=(),
                )
            )
    return out


def product_uses_text(uses: Iterable[Use]) -> str:
    """The uses as one line: "3 cables (plant.Cable: r1), 1 halls (...)"."""
    return ", ".join(str(use) for use in uses)
