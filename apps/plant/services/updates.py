"""Renames and settings: what PATCH may change (names, labels, settings)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from apps.catalog.models import Product
from apps.core.exceptions import ApplicationError
from apps.plant.models import (
    Device,
    Enclosure,
    Hall,
    Link,
    Module,
    Rack,
    Row,
    Site,
)
from apps.plant.services._common import (
    _conflict,
    _hall_bump,
)

# --- renames and settings ------------------------------------------------------------------------
# What PATCH may change: names, labels and settings. Topology (U, slot, rack place, legs, ports)
# changes only through place / move / connect.


def _update(obj: Any, fields: dict[str, Any]) -> list[str]:
    """Set `fields` on obj, full_clean and save only those; a lost race becomes its 409."""
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    if not changed:
        return []
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save(update_fields=[*changed, "updated"])
    except IntegrityError as error:
        raise _conflict(error) from error
    return changed


@transaction.atomic
def site_update(*, site: Site, name: str | None = None) -> Site:
    """Rename a site."""
    _update(site, {} if name is None else {"name": name})
    return site


HALL_SETTINGS = (
    "name",
    "polarity_method",
    "standard_duplex_cord",
    "standard_array_cord",
    "rack_pitch_mm",
    "row_pitch_mm",
    "tray_height_mm",
    "rack_floor_offset_mm",
    "cable_slack_mm",
)


@transaction.atomic
def hall_update(*, hall: Hall, **fields: Any) -> Hall:
    """Rename a hall or change its polarity method, standard cords or geometry.

    Anything but the name changes what validation sees: the plant revision is bumped and every
    link of the hall is marked for re-validation.
    """
    unknown = set(fields) - set(HALL_SETTINGS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.", code="read_only")
    for attr in ("standard_duplex_cord", "standard_array_cord"):
        cord = fields.get(attr)
        if cord is not None and cord.kind != Product.Kind.CABLE:
            raise ApplicationError(f"{cord} is not a cable.", code="invalid_product", attr=attr)
    changed = _update(hall, fields)
    if set(changed) - {"name"}:
        _hall_bump(hall.pk)
        Link.objects.filter(Q(hall=hall) | Q(ends__hall=hall)).exclude(
            needs_revalidation=True
        ).update(needs_revalidation=True)
    return hall


@transaction.atomic
def row_update(*, row: Row, name: str | None = None) -> Row:
    """Rename a row."""
    _update(row, {} if name is None else {"name": name})
    return row


@transaction.atomic
def rack_update(*, rack: Rack, name: str | None = None) -> Rack:
    """Rename a rack."""
    _update(rack, {} if name is None else {"name": name})
    return rack


@transaction.atomic
def device_update(*, device: Device, name: str | None = None, kind: str | None = None) -> Device:
    """Rename a device or change its kind."""
    fields = {k: v for k, v in (("name", name), ("kind", kind)) if v is not None}
    _update(device, fields)
    return device


@transaction.atomic
def enclosure_update(*, enclosure: Enclosure, name: str | None = None) -> Enclosure:
    """Rename an enclosure (it moves through enclosure_move)."""
    _update(enclosure, {} if name is None else {"name": name})
    return enclosure


@transaction.atomic
def module_update(*, module: Module, orientation: str | None = None) -> Module:
    """Install a module the other way up (drawings and schedules change, not the fibre map)."""
    if orientation is not None and _update(module, {"orientation": orientation}):
        _hall_bump(module.hall_id)
    return module


@transaction.atomic
def link_update(*, link: Link, name: str | None = None) -> Link:
    """Rename a link (its ends change by deleting and defining it again)."""
    _update(link, {} if name is None else {"name": name})
    return link
