"""Cables and matings: cables, their legs, and plugging legs into ports."""

from __future__ import annotations

from django.db import transaction

from apps.accounts.models import User
from apps.catalog.models import ProductRevision
from apps.core.exceptions import ApplicationError
from apps.plant.models import (
    Cable,
    CableLeg,
    Hall,
    Mating,
    Port,
)
from apps.plant.services._common import (
    _hall_bump,
    _links_mark,
    _not_found,
    _revision_of_kind,
    _save,
)

# --- cables and matings --------------------------------------------------------------------------


@transaction.atomic
def cable_create(
    *,
    hall: Hall,
    label: str,
    revision: ProductRevision,
    length_mm: int | None = None,
    status: str = Cable.Status.PLANNED,
) -> Cable:
    """Create a cable (end A in `hall`) and one leg per plug of each end of its product."""
    _revision_of_kind(revision, ("cable",), "revision")
    cable = Cable(
        project_id=hall.project_id,
        hall=hall,
        product_revision=revision,
        label=label,
        length_mm=length_mm,
        status=status,
    )
    _save(cable)
    legs = [
        CableLeg(
            cable=cable,
            hall_id=hall.pk,
            project_id=hall.project_id,
            end=end,
            index=index,
            label=str(item.get("label") or f"{end}{index}"),
        )
        for end in ("A", "B")
        for index, item in enumerate(revision.spec["ends"][end], start=1)
    ]
    CableLeg.objects.bulk_create(legs)
    _hall_bump(hall.pk)
    return cable


@transaction.atomic
def cable_update(
    *, cable: Cable, length_mm: int | None = None, status: str | None = None, label: str = ""
) -> Cable:
    """Change a cable's length, status or label (legs and matings change through connect)."""
    fields = ["updated"]
    if length_mm is not None:
        cable.length_mm = length_mm
        fields.append("length_mm")
    if status is not None:
        cable.status = status
        fields.append("status")
    if label:
        cable.label = label
        fields.append("label")
    cable.full_clean()
    cable.save(update_fields=fields)
    _hall_bump(cable.hall_id)
    _links_mark(cable_ids=[cable.pk])
    return cable


@transaction.atomic
def cable_delete(*, cable: Cable) -> None:
    """Delete a cable; its legs come out of their ports (matings go)."""
    halls = set(Mating.objects.filter(leg__cable=cable).values_list("hall_id", flat=True))
    _links_mark(cable_ids=[cable.pk])
    cable.delete()
    _hall_bump(cable.hall_id, *halls)


@transaction.atomic
def leg_connect(*, leg: CableLeg, port: Port, side: str, by: User | None = None) -> Mating:
    """Plug one cable leg into one side of a port and record that the hall's plant changed.

    Family and polarity sanity are the engine's job (stored as asked, reported by validation).
    Refuses another project's port (`does_not_exist`), another site's (`other_site`), a side the
    port does not have (`invalid_side`), and an occupied side or leg (409 `port_mated` /
    `leg_mated`, also when a concurrent request wins the race).
    """
    if port.project_id != leg.project_id:
        raise _not_found("The port", "port")
    if side not in port.sides():
        raise ApplicationError(
            f"This port is mated at its {' or '.join(port.sides())} side.",
            code="invalid_side",
            attr="side",
        )
    if port.hall_id != leg.hall_id:
        sites = set(Hall.objects.filter(pk__in=[port.hall_id, leg.hall_id]).values_list("site_id"))
        if len(sites) != 1:
            raise ApplicationError(
                "A cable joins halls of one site only.", code="other_site", attr="port"
            )
    if Mating.objects.filter(port=port, side=side).exists():
        raise ApplicationError(
            "That side of the port is taken.", code="port_mated", attr="port", status=409
        )
    if Mating.objects.filter(leg=leg).exists():
        raise ApplicationError("The leg is plugged in.", code="leg_mated", attr="leg", status=409)
    mating = Mating(
        project_id=port.project_id,
        hall_id=port.hall_id,
        leg=leg,
        port=port,
        side=side,
        created_by=by,
    )
    # constraints are left to the database: a racing request gets IntegrityError -> 409
    _save(mating, validate_unique=False, validate_constraints=False)
    _hall_bump(port.hall_id, leg.hall_id)
    _links_mark(cable_ids=[leg.cable_id], port_ids=[port.pk])
    return mating


@transaction.atomic
def leg_disconnect(*, leg: CableLeg, by: User | None = None) -> None:
    """Unplug a cable leg (no-op if it is free)."""
    mating = Mating.objects.filter(leg=leg).first()
    if mating is None:
        return
    mating.delete()
    _hall_bump(mating.hall_id, leg.hall_id)
    _links_mark(cable_ids=[leg.cable_id], port_ids=[mating.port_id])
