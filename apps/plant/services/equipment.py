"""Transceivers, enclosures and modules: what is installed in devices and racks."""

from __future__ import annotations

from django.db import transaction

from apps.catalog.models import ProductRevision
from apps.core.exceptions import ApplicationError
from apps.plant.models import (
    CableLeg,
    Device,
    Enclosure,
    LinkEnd,
    Module,
    Port,
    Rack,
    Transceiver,
)
from apps.plant.services._common import (
    _hall_bump,
    _in_use,
    _links_mark,
    _not_found,
    _rack_fit,
    _revision_of_kind,
    _save,
)

# --- transceivers, enclosures, modules -----------------------------------------------------------


@transaction.atomic
def transceiver_install(*, device: Device, cage: str, revision: ProductRevision) -> Transceiver:
    """Put a catalog transceiver in a cage of a device; one port per receptacle of its product."""
    _revision_of_kind(revision, ("transceiver",), "revision")
    transceiver = Transceiver(
        device=device,
        hall_id=device.hall_id,
        project_id=device.project_id,
        cage=cage,
        product_revision=revision,
    )
    _save(transceiver, validate_constraints=False)
    Port.objects.bulk_create(
        Port(
            hall_id=device.hall_id,
            project_id=device.project_id,
            transceiver=transceiver,
            label=str(item["label"]),
            face=Port.Face.FRONT,
            family=str(item["family"]),
        )
        for item in revision.spec.get("receptacles") or []
    )
    _hall_bump(device.hall_id)
    return transceiver


@transaction.atomic
def transceiver_remove(*, transceiver: Transceiver) -> None:
    """Take a transceiver out (its ports and matings go); 409 if a port is a link end."""
    if LinkEnd.objects.filter(port__transceiver=transceiver).exists():
        raise _in_use("The transceiver is the end of a link; delete the link first.")
    _links_mark(port_ids=Port.objects.filter(transceiver=transceiver).values_list("pk", flat=True))
    transceiver.delete()
    _hall_bump(transceiver.hall_id)


@transaction.atomic
def enclosure_place(
    *, rack: Rack, name: str, revision: ProductRevision, u_position: int
) -> Enclosure:
    """Place a catalog enclosure at a U position (fit and overlap under the rack's row lock)."""
    _revision_of_kind(revision, ("enclosure",), "revision")
    height_u = int(revision.spec.get("rack_units") or 1)
    _rack_fit(rack=rack, u_position=u_position, height_u=height_u)
    enclosure = Enclosure(
        rack=rack,
        hall_id=rack.hall_id,
        project_id=rack.project_id,
        name=name,
        product_revision=revision,
        u_position=u_position,
        height_u=height_u,
    )
    _save(enclosure)
    _hall_bump(rack.hall_id)
    return enclosure


@transaction.atomic
def enclosure_move(*, enclosure: Enclosure, rack: Rack, u_position: int) -> Enclosure:
    """Move an enclosure (with its modules) to a U position of a rack of the same hall."""
    if rack.project_id != enclosure.project_id:
        raise _not_found("The rack", "rack")
    if rack.hall_id != enclosure.hall_id:
        raise ApplicationError(
            "An enclosure moves within its hall.", code="other_hall", attr="rack"
        )
    _rack_fit(
        rack=rack, u_position=u_position, height_u=enclosure.height_u, enclosure_id=enclosure.pk
    )
    enclosure.rack = rack
    enclosure.u_position = u_position
    enclosure.full_clean()
    enclosure.save(update_fields=["rack", "u_position", "updated"])
    _hall_bump(rack.hall_id)
    cables = CableLeg.objects.filter(mating__port__module__enclosure=enclosure)
    _links_mark(cable_ids=cables.values_list("cable_id", flat=True))  # lengths changed
    return enclosure


@transaction.atomic
def enclosure_remove(*, enclosure: Enclosure) -> None:
    """Remove an empty enclosure (409 `in_use` while it holds modules)."""
    if Module.objects.filter(enclosure=enclosure).exists():
        raise _in_use("The enclosure still holds modules.")
    enclosure.delete()
    _hall_bump(enclosure.hall_id)


def _adapter_family(code: str) -> str:
    spec = (
        ProductRevision.objects.filter(product__code=code, is_current=True)
        .values_list("spec", flat=True)
        .first()
    )
    if spec is None:
        raise ApplicationError(f"The panel's adapter {code} is not in the catalog.", code="invalid")
    return str(spec["family"])


@transaction.atomic
def module_install(
    *,
    enclosure: Enclosure,
    slot: int,
    revision: ProductRevision,
    orientation: str = Module.Orientation.NORMAL,
) -> Module:
    """Put a cassette or adapter panel in a free slot; creates its ports from the product.

    A cassette gets one port per spec port (its face: front or rear); a panel gets ports "1".."n",
    each a bare adapter mated at front and rear.
    """
    _revision_of_kind(revision, ("cassette", "panel"), "revision")
    enclosure_spec = (
        ProductRevision.objects.filter(pk=enclosure.product_revision_id)
        .values_list("spec", flat=True)
        .get()
    )
    slots = int(enclosure_spec.get("slots") or 0)
    if not 1 <= slot <= slots:
        raise ApplicationError(
            f"The enclosure has slots 1..{slots}.", code="slot_out_of_range", attr="slot"
        )
    if Module.objects.filter(enclosure=enclosure, slot=slot).exists():
        raise ApplicationError(
            f"Slot {slot} is taken.", code="slot_occupied", attr="slot", status=409
        )
    module = Module(
        enclosure=enclosure,
        hall_id=enclosure.hall_id,
        project_id=enclosure.project_id,
        slot=slot,
        product_revision=revision,
        orientation=orientation,
    )
    _save(module, validate_constraints=False)
    spec = revision.spec
    common = {"hall_id": enclosure.hall_id, "project_id": enclosure.project_id, "module": module}
    if spec["kind"] == "panel":
        family = _adapter_family(str(spec["adapter"]))
        ports = [
            Port(label=str(n), face=Port.Face.BOTH, family=family, **common)
            for n in range(1, int(spec["ports"]) + 1)
        ]
    else:
        ports = [
            Port(label=str(item["label"]), face=item["face"], family=item["family"], **common)
            for item in spec["ports"]
        ]
    Port.objects.bulk_create(ports)
    _hall_bump(enclosure.hall_id)
    return module


@transaction.atomic
def module_remove(*, module: Module) -> None:
    """Pull a module out: its ports go and the legs plugged into them come free."""
    if LinkEnd.objects.filter(port__module=module).exists():  # link ends are transceivers today
        raise _in_use("A port of the module is a link end.")
    _links_mark(port_ids=Port.objects.filter(module=module).values_list("pk", flat=True))
    module.delete()
    _hall_bump(module.hall_id)
