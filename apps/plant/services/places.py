"""Sites, halls, rows, racks and devices: where things stand."""

from __future__ import annotations

from django.db import transaction

from apps.accounts.models import Project
from apps.catalog.models import Product
from apps.core.exceptions import ApplicationError
from apps.plant.models import (
    Cable,
    Device,
    Enclosure,
    Hall,
    Link,
    LinkEnd,
    Port,
    Rack,
    Row,
    Site,
)
from apps.plant.services._common import (
    _hall_bump,
    _in_use,
    _links_mark,
    _rack_fit,
    _save,
)

# --- sites, halls, rows, racks -------------------------------------------------------------------


@transaction.atomic
def site_create(*, project: Project, name: str) -> Site:
    """Create a site in a project."""
    site = Site(project=project, name=name)
    _save(site)
    return site


@transaction.atomic
def site_delete(*, site: Site) -> None:
    """Delete an empty site (409 `in_use` while it has halls)."""
    if Hall.objects.filter(site=site).exists():
        raise _in_use("The site still has halls.")
    site.delete()


@transaction.atomic
def hall_create(
    *,
    site: Site,
    name: str,
    polarity_method: str = Hall.PolarityMethod.B,
    standard_duplex_cord: Product | None = None,
    standard_array_cord: Product | None = None,
    rack_pitch_mm: int = 600,
    row_pitch_mm: int = 2400,
    tray_height_mm: int = 2600,
    rack_floor_offset_mm: int = 0,
    cable_slack_mm: int | None = None,
) -> Hall:
    """Create a hall in a site with its polarity method, standard cords and geometry."""
    for attr, cord in (
        ("standard_duplex_cord", standard_duplex_cord),
        ("standard_array_cord", standard_array_cord),
    ):
        if cord is not None and cord.kind != Product.Kind.CABLE:
            raise ApplicationError(f"{cord} is not a cable.", code="invalid_product", attr=attr)
    hall = Hall(
        site=site,
        project_id=site.project_id,
        name=name,
        polarity_method=polarity_method,
        standard_duplex_cord=standard_duplex_cord,
        standard_array_cord=standard_array_cord,
        rack_pitch_mm=rack_pitch_mm,
        row_pitch_mm=row_pitch_mm,
        tray_height_mm=tray_height_mm,
        rack_floor_offset_mm=rack_floor_offset_mm,
        cable_slack_mm=cable_slack_mm,
    )
    _save(hall)
    return hall


@transaction.atomic
def hall_delete(*, hall: Hall) -> None:
    """Delete an empty hall (409 `in_use` while it has rows, cables or links)."""
    if Row.objects.filter(hall=hall).exists() or Cable.objects.filter(hall=hall).exists():
        raise _in_use("The hall still has rows or cables.")
    if Link.objects.filter(hall=hall).exists():
        raise _in_use("The hall still has links.")
    hall.delete()


@transaction.atomic
def row_create(*, hall: Hall, name: str, index: int) -> Row:
    """Create a row at `index` in the hall."""
    row = Row(hall=hall, project_id=hall.project_id, name=name, index=index)
    _save(row)
    _hall_bump(hall.pk)
    return row


@transaction.atomic
def row_delete(*, row: Row) -> None:
    """Delete an empty row (409 `in_use` while it has racks)."""
    if Rack.objects.filter(row=row).exists():
        raise _in_use("The row still has racks.")
    row.delete()
    _hall_bump(row.hall_id)


@transaction.atomic
def rack_create(*, row: Row, name: str, position: int, height_u: int = 42) -> Rack:
    """Create a rack at `position` in the row."""
    rack = Rack(
        row=row,
        hall_id=row.hall_id,
        project_id=row.project_id,
        name=name,
        position=position,
        height_u=height_u,
    )
    _save(rack, validate_constraints=False)  # (row, position) races answer position_occupied
    _hall_bump(row.hall_id)
    return rack


@transaction.atomic
def rack_delete(*, rack: Rack) -> None:
    """Delete an empty rack (409 `in_use` while it holds devices or enclosures)."""
    if Device.objects.filter(rack=rack).exists() or Enclosure.objects.filter(rack=rack).exists():
        raise _in_use("The rack still holds devices or enclosures.")
    rack.delete()
    _hall_bump(rack.hall_id)


@transaction.atomic
def device_create(
    *,
    rack: Rack,
    name: str,
    u_position: int,
    height_u: int = 1,
    kind: str = Device.Kind.SWITCH,
) -> Device:
    """Place a device in a rack (U fit and overlap checked under the rack's row lock)."""
    _rack_fit(rack=rack, u_position=u_position, height_u=height_u)
    device = Device(
        rack=rack,
        hall_id=rack.hall_id,
        project_id=rack.project_id,
        name=name,
        kind=kind,
        u_position=u_position,
        height_u=height_u,
    )
    _save(device)
    _hall_bump(rack.hall_id)
    return device


@transaction.atomic
def device_delete(*, device: Device) -> None:
    """Delete a device with its transceivers (unplugging them); 409 if a port is a link end."""
    ports = Port.objects.filter(transceiver__device=device)
    if LinkEnd.objects.filter(port__in=ports).exists():
        raise _in_use("A transceiver of the device is the end of a link; delete the link first.")
    port_ids = list(ports.values_list("pk", flat=True))
    _links_mark(port_ids=port_ids)
    device.delete()
    _hall_bump(device.hall_id)
