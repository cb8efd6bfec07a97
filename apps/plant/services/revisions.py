"""Catalog revisions: move a hall's installed rows to a product's new revision."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.catalog.models import ProductRevision
from apps.core.exceptions import ApplicationError
from apps.plant.models import (
    Cable,
    CableLeg,
    Enclosure,
    Hall,
    Link,
    Module,
    Port,
    Transceiver,
)
from apps.plant.services._common import (
    _hall_bump,
    _links_revalidate_later,
)

# --- catalog revisions ---------------------------------------------------------------------------


@transaction.atomic
def hall_adopt_revision(*, hall: Hall, revision: ProductRevision, by: User | None = None) -> int:
    """Move the hall's rows on older revisions of `revision`'s product to it; returns the count.

    Nothing else changes installed rows when a catalog product gets a new revision. Faces are
    matched by label, so a revision that drops a port or leg in use is refused (`incompatible`).
    """
    older = ProductRevision.objects.filter(product_id=revision.product_id).exclude(pk=revision.pk)
    moved = 0
    kind = revision.spec.get("kind")
    if kind in ("cassette", "transceiver"):
        key = "receptacles" if kind == "transceiver" else "ports"
        labels = {str(item["label"]) for item in revision.spec.get(key) or []}
        owner = "transceiver" if kind == "transceiver" else "module"
        used = Port.objects.filter(
            **{f"{owner}__hall": hall, f"{owner}__product_revision__in": older}
        ).exclude(label__in=labels)
        if (
            used.filter(matings__isnull=False).exists()
            or used.filter(link_end__isnull=False).exists()
        ):
            raise ApplicationError(
                "The new revision lacks a port that is in use.", code="incompatible"
            )
    if kind == "cable":
        ends = revision.spec.get("ends") or {}
        faces = [(end, i) for end in ("A", "B") for i in range(1, len(ends.get(end, [])) + 1)]
        missing = CableLeg.objects.filter(
            cable__hall=hall, cable__product_revision__in=older, mating__isnull=False
        ).exclude(
            pk__in=CableLeg.objects.filter(
                Q(pk__in=[]) | _any_face(faces), cable__product_revision__in=older
            ).values("pk")
        )
        if missing.exists():
            raise ApplicationError(
                "The new revision lacks a leg that is plugged in.", code="incompatible"
            )
    for model in (Transceiver, Enclosure, Module, Cable):
        moved += model.objects.filter(hall=hall, product_revision__in=older).update(
            product_revision=revision
        )
    if moved:
        _hall_bump(hall.pk)
        links = Link.objects.filter(
            pk__in=Link.objects.filter(Q(hall=hall) | Q(ends__hall=hall)).values("pk")
        )
        links.exclude(needs_revalidation=True).update(needs_revalidation=True)
        _links_revalidate_later(links)
    return moved


def _any_face(faces: Sequence[tuple[str, int]]) -> Q:
    condition = Q(pk__in=[])
    for end, index in faces:
        condition |= Q(end=end, index=index)
    return condition
