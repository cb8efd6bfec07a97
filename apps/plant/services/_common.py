"""What every plant service shares: conflicts, hall revision bumps, link marking, checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from apps.catalog.models import ProductRevision
from apps.core.exceptions import ApplicationError
from apps.core.tasks import schedule_after_commit
from apps.plant.models import (
    Device,
    Enclosure,
    Hall,
    Link,
    Rack,
)

# constraint name -> (code, status, attr) for IntegrityErrors raised by a lost race
CONFLICTS: dict[str, tuple[str, int, str | None]] = {
    "plant_mating_one_per_side": ("port_mated", 409, "port"),
    "plant_mating_leg_id_key": ("leg_mated", 409, "leg"),
    "plant_module_one_per_slot": ("slot_occupied", 409, "slot"),
    "plant_linkend_port_id_key": ("port_linked", 409, "port"),
    "plant_transceiver_one_per_cage": ("cage_occupied", 409, "cage"),
    "plant_rack_unique_position": ("position_occupied", 409, "position"),
}


# --- helpers -------------------------------------------------------------------------------------


def _hall_bump(*hall_ids: int) -> None:
    """Record that the plant of these halls changed (audits compare the revision)."""
    Hall.objects.filter(pk__in=set(hall_ids)).update(plant_revision=F("plant_revision") + 1)


def _links_mark(*, cable_ids: Iterable[int] = (), port_ids: Iterable[int] = ()) -> int:
    """Mark the links whose last walk touched these cables or ports for re-validation."""
    cables, ports = sorted(set(cable_ids)), sorted(set(port_ids))
    condition = Q(pk__in=[])
    if cables:
        condition |= Q(touched_cable_ids__overlap=cables)
    if ports:
        condition |= Q(touched_port_ids__overlap=ports) | Q(ends__port_id__in=ports)
    marked = (
        Link.objects.filter(pk__in=Link.objects.filter(condition).values("pk"))
        .exclude(needs_revalidation=True)
        .update(needs_revalidation=True)
    )
    _links_revalidate_later(Link.objects.filter(condition))
    return marked


def _links_revalidate_later(links: Any) -> None:
    """Re-validate these links in the background once the write commits, one task per hall.

    If the broker is down the links simply stay marked `needs_revalidation` (apps/core/tasks.py).
    """
    from apps.plant.tasks import links_revalidate_task

    by_hall: dict[int, set[int]] = {}
    for pk, hall_id in links.values_list("pk", "hall_id"):
        by_hall.setdefault(hall_id, set()).add(pk)
    for hall_id, ids in sorted(by_hall.items()):
        schedule_after_commit(links_revalidate_task, hall_id=hall_id, link_ids=sorted(ids))


def _not_found(what: str, attr: str) -> ApplicationError:
    return ApplicationError(f"{what} does not exist.", code="does_not_exist", attr=attr, status=404)


def _same_project(project_id: int, obj: Any, what: str, attr: str) -> None:
    if obj.project_id != project_id:
        raise _not_found(what, attr)


def _save(obj: Any, **kwargs: Any) -> None:
    """full_clean then insert; a lost race on a named constraint becomes its 409."""
    obj.full_clean(**kwargs)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise _conflict(error) from error


def _conflict(error: IntegrityError) -> ApplicationError:
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""
    code, status, attr = CONFLICTS.get(name, ("conflict", 409, None))
    return ApplicationError(
        "Someone else changed this at the same time: " + code.replace("_", " ") + ".",
        code=code,
        attr=attr,
        status=status,
    )


def _revision_of_kind(revision: ProductRevision, kinds: Sequence[str], attr: str) -> None:
    kind = revision.spec.get("kind")
    if kind not in kinds:
        raise ApplicationError(
            f"{revision.product} is a {kind}, not a {' or '.join(kinds)}.",
            code="invalid_product",
            attr=attr,
        )


def _in_use(detail: str) -> ApplicationError:
    return ApplicationError(detail, code="in_use", status=409)


def _rack_fit(
    *,
    rack: Rack,
    u_position: int,
    height_u: int,
    device_id: int | None = None,
    enclosure_id: int | None = None,
) -> Rack:
    """Lock the rack row and check that U u_position.. fits and overlaps nothing else.

    The lock (SELECT ... FOR UPDATE on the rack) serialises every placement in one rack: a second
    placement waits for the first to commit, then sees its row and answers `u_occupied`.
    """
    locked = Rack.objects.select_for_update().get(pk=rack.pk)
    top = u_position + height_u - 1
    if u_position < 1 or top > locked.height_u:
        raise ApplicationError(
            f"U{u_position}-U{top} does not fit a {locked.height_u} U rack.",
            code="u_out_of_range",
            attr="u_position",
        )
    overlap = Q(u_position__lte=top) & Q(
        u_position__gte=u_position - F("height_u") + 1
    )  # [a, a+h-1] meets [u, top]  <=>  a <= top and a + h - 1 >= u
    devices = Device.objects.filter(overlap, rack=locked)
    enclosures = Enclosure.objects.filter(overlap, rack=locked)
    if device_id is not None:
        devices = devices.exclude(pk=device_id)
    if enclosure_id is not None:
        enclosures = enclosures.exclude(pk=enclosure_id)
    taken = [*devices.values_list("name", flat=True), *enclosures.values_list("name", flat=True)]
    if taken:
        raise ApplicationError(
            f"U{u_position}-U{top} overlaps {', '.join(sorted(taken))}.",
            code="u_occupied",
            attr="u_position",
            status=409,
        )
    return locked
