"""Writes the pages make, each one transaction composed only of plant services.

The configurator owns no models: a built link is cords + matings + a link, a connected cable is a
cable + matings, a fix swaps a cable for its catalog sibling in the same ports. Every row is
written by `apps.plant.services`, so the rules (scoping, occupancy, revisions) are the API's.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from apps.accounts.models import User
from apps.catalog.models import ProductRevision
from apps.core.exceptions import ApplicationError
from apps.plant import services as plant
from apps.plant.models import Cable, CableLeg, Hall, Link, Mating, Port

from .builder import BreakoutDraft, Draft


def _mm(length_m: Decimal | None) -> int | None:
    return None if length_m is None else int(length_m * 1000)


def _revision(code: str) -> ProductRevision:
    revision = (
        ProductRevision.objects.select_related("product")
        .filter(product__code=code, is_current=True)
        .first()
    )
    if revision is None:
        raise ApplicationError(
            f"{code} has no current catalog revision.", code="invalid_product", attr="product"
        )
    return revision


def _leg(cable: Cable, face: str) -> CableLeg:
    return CableLeg.objects.get(cable=cable, end=face[0], index=int(face[1:]))


def _next_label(hall: Hall, prefix: str) -> str:
    taken = set(
        Cable.objects.filter(project_id=hall.project_id, label__startswith=prefix).values_list(
            "label", flat=True
        )
    )
    n = 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


@transaction.atomic
def link_build(*, hall: Hall, name: str, draft: Draft, by: User) -> Link:
    """Create the draft's cords, plug them in, define the link and validate it from the store.

    Cord i joins the draft's stops 2i and 2i + 1 (end A, each hop's ports, end B): cord A, the
    cross-connect cords in the racks between trunk hops, cord B. Trunks are never created.
    """
    stops = draft.stops() if len(draft.cords()) == len(draft.hops) + 1 else [draft.a, draft.b]
    ports = {p.pk: p for p in Port.objects.filter(pk__in=[s.port_id for s in stops])}
    for i, choice in enumerate(draft.cords()):
        cord = plant.cable_create(
            hall=hall,
            label=_next_label(hall, "PC-"),
            revision=_revision(choice.product.code),
            length_mm=_mm(choice.length_m),
        )
        a_side, b_side = choice.faces
        here, there = ports[stops[2 * i].port_id], ports[stops[2 * i + 1].port_id]
        plant.leg_connect(leg=_leg(cord, a_side), port=here, side="front", by=by)
        plant.leg_connect(leg=_leg(cord, b_side), port=there, side="front", by=by)
    a_port, b_port = ports[draft.a.port_id], ports[draft.b.port_id]
    link = plant.link_create(project=hall.project, name=name, a_port=a_port, b_port=b_port, by=by)
    plant.links_revalidate(hall_id=hall.pk, link_ids=[link.pk])
    return link


@transaction.atomic
def cable_build(
    *,
    hall: Hall,
    label: str,
    revision: ProductRevision,
    length_mm: int | None,
    a: tuple[Port, str] | None,
    b: tuple[Port, str] | None,
    by: User,
) -> Cable:
    """Create a cable and plug its first leg at each end where a port is given."""
    cable = plant.cable_create(hall=hall, label=label, revision=revision, length_mm=length_mm)
    for end, where in (("A", a), ("B", b)):
        if where is not None:
            port, side = where
            plant.leg_connect(leg=_leg(cable, f"{end}1"), port=port, side=side, by=by)
    return cable


@transaction.atomic
def cable_swap(
    *, cable: Cable, code: str | None, length_m: Decimal | None, link: Link, by: User
) -> Cable:
    """Apply a fix to a cable: its catalog sibling in the same ports and/or a new length.

    The old cable is unplugged and deleted, the new one (same label) plugged leg for leg into the
    same port sides; the link is re-validated from the store.
    """
    if code is None:
        if length_m is None:
            raise ApplicationError("The fix changes nothing.", code="invalid")
        plant.cable_update(cable=cable, length_mm=_mm(length_m))
        plant.links_revalidate(hall_id=link.hall_id, link_ids=[link.pk])
        return cable
    revision = _revision(code)
    where = list(
        Mating.objects.filter(leg__cable=cable).values_list(
            "leg__end", "leg__index", "port_id", "side"
        )
    )
    label, hall, status = cable.label, cable.hall, cable.status
    length_mm = _mm(length_m) if length_m is not None else cable.length_mm
    plant.cable_delete(cable=cable)
    new = plant.cable_create(
        hall=hall, label=label, revision=revision, length_mm=length_mm, status=status
    )
    ports = {p.pk: p for p in Port.objects.filter(pk__in=[w[2] for w in where])}
    for end, index, port_id, side in where:
        plant.leg_connect(leg=_leg(new, f"{end}{index}"), port=ports[port_id], side=side, by=by)
    plant.links_revalidate(hall_id=link.hall_id, link_ids=[link.pk])
    return new


@transaction.atomic
def breakout_build(*, hall: Hall, name: str, draft: BreakoutDraft, by: User) -> Link:
    """Create the harness, plug parent and children in, define the breakout link, validate it."""
    ids = [draft.parent.port_id, *(c.port_id for c in draft.children)]
    ports = {p.pk: p for p in Port.objects.filter(pk__in=ids)}
    harness = plant.cable_create(
        hall=hall,
        label=_next_label(hall, "HRN-"),
        revision=_revision(draft.harness.code),
        length_mm=_mm(draft.length_m),
    )
    parent = ports[draft.parent.port_id]
    plant.leg_connect(leg=_leg(harness, "A1"), port=parent, side="front", by=by)
    children = []
    for j, child in enumerate(draft.children):
        port = ports[child.port_id]
        plant.leg_connect(leg=_leg(harness, f"B{j + 1}"), port=port, side="front", by=by)
        children.append((port, draft.child_lanes(j)))
    link = plant.link_create(
        project=hall.project, name=name, parent_port=parent, children=children, by=by
    )
    plant.links_revalidate(hall_id=hall.pk, link_ids=[link.pk])
    return link
