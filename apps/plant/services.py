"""Plant writes: keyword-only, typed, one transaction each; the only way to change the plant.

Rules every service follows:

* `project` and `hall` of a new row come from its parent; a second object given by the caller (a
  port for a leg, the ports of a link) must belong to the same project, else ApplicationError
  `does_not_exist` (404): another project's objects are never revealed.
* Every topology write bumps `Hall.plant_revision` of each hall it touches (audits compare it)
  and marks the links whose last walk went through what changed `needs_revalidation=True`.
* Occupancy is settled by the database: unique constraints (one mating per (port, side) and per
  leg, one module per slot, one link end per port) and a row lock on the rack for U ranges. A lost
  race answers ApplicationError 409 with a named code (`port_mated`, `leg_mated`, `slot_occupied`,
  `u_occupied`, `port_linked`), exactly as the friendly pre-check does.

Deletes: `*_delete` refuses with 409 `in_use` when something a user would lose silently depends on
the row (a site with halls, a hall/row/rack with contents, an enclosure with modules, a port that
is a link end); it cascades where users expect it: removing a transceiver, module or cable
unplugs its legs (matings go), deleting a device removes its transceivers, deleting a link
removes its ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from apps.accounts.models import Project, User
from apps.catalog.models import Application, Product, ProductRevision
from apps.core.exceptions import ApplicationError
from apps.core.tasks import schedule_after_commit
from apps.plant.models import (
    Cable,
    CableLeg,
    Device,
    Enclosure,
    Hall,
    Link,
    LinkEnd,
    Mating,
    Module,
    Port,
    Rack,
    Row,
    Site,
    Transceiver,
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


# --- links ---------------------------------------------------------------------------------------


def _transceiver_port(project: Project, port: Port, attr: str) -> None:
    _same_project(project.pk, port, "The port", attr)
    if port.transceiver_id is None:
        raise ApplicationError(
            "A link ends at a transceiver port.", code="not_a_transceiver", attr=attr
        )


def _end_application(port: Port, application: Application | None) -> Application | None:
    if application is not None:
        return application
    spec = (
        ProductRevision.objects.filter(plant_transceivers__ports=port)
        .values_list("spec", flat=True)
        .first()
    )
    code = (spec or {}).get("application")
    return Application.objects.filter(code=code).first() if code else None


@transaction.atomic
def link_create(
    *,
    project: Project,
    name: str,
    a_port: Port | None = None,
    b_port: Port | None = None,
    parent_port: Port | None = None,
    children: Sequence[tuple[Port, Sequence[int]]] = (),
    a_application: Application | None = None,
    b_application: Application | None = None,
    by: User | None = None,
) -> Link:
    """Define a link: aggregate (a_port, b_port) or breakout (parent_port, [(port, lanes)]).

    Ends are transceiver ports of the project; each end's application defaults to its
    transceiver's. A port is the end of one link at most (409 `port_linked`). The link starts with
    status `unknown` and `needs_revalidation=True`.
    """
    aggregate = a_port is not None or b_port is not None
    if aggregate == (parent_port is not None) or (aggregate and (a_port is None or b_port is None)):
        raise ApplicationError(
            "Give a_port and b_port, or parent_port and children.", code="invalid_shape"
        )
    if parent_port is not None and not children:
        raise ApplicationError("A breakout needs children.", code="invalid_shape", attr="children")
    ends: list[tuple[str, Port, list[int], Application | None, str]] = []
    if aggregate:
        assert a_port is not None
        assert b_port is not None
        ends = [
            ("a", a_port, [], a_application, "a_port"),
            ("b", b_port, [], b_application, "b_port"),
        ]
    else:
        assert parent_port is not None
        ends = [("parent", parent_port, [], None, "parent_port")]
        seen: set[int] = set()
        for port, lanes in children:
            if not lanes or seen & set(lanes) or min(lanes) < 0:
                raise ApplicationError(
                    "Each child carries its own parent lanes (0-based).",
                    code="invalid_lanes",
                    attr="children",
                )
            seen |= set(lanes)
            ends.append(("child", port, list(lanes), None, "children"))
    ports = [port.pk for _role, port, *_ in ends]
    if len(set(ports)) != len(ports):
        raise ApplicationError("A port appears twice.", code="invalid_shape")
    for _role, port, _lanes, _app, attr in ends:
        _transceiver_port(project, port, attr)
    hall_id = ends[0][1].hall_id
    link = Link(
        project=project,
        hall_id=hall_id,
        name=name,
        shape=Link.Shape.AGGREGATE if aggregate else Link.Shape.BREAKOUT,
        created_by=by,
    )
    _save(link)
    if LinkEnd.objects.filter(port_id__in=ports).exists():
        raise ApplicationError(
            "A port is already the end of a link.", code="port_linked", status=409
        )
    rows = [
        LinkEnd(
            link=link,
            project=project,
            hall_id=port.hall_id,
            role=role,
            port=port,
            lanes=lanes,
            application=_end_application(port, application),
        )
        for role, port, lanes, application, _attr in ends
    ]
    try:
        with transaction.atomic():
            LinkEnd.objects.bulk_create(rows)
    except IntegrityError as error:
        raise _conflict(error) from error
    _hall_bump(*(port.hall_id for _r, port, *_ in ends))
    _links_revalidate_later(Link.objects.filter(pk=link.pk))
    return link


@transaction.atomic
def link_delete(*, link: Link) -> None:
    """Delete a link and its ends (the cabling stays)."""
    halls = set(LinkEnd.objects.filter(link=link).values_list("hall_id", flat=True))
    link.delete()
    _hall_bump(link.hall_id, *halls)


@transaction.atomic
def links_revalidate(
    *, hall_id: int, link_ids: Sequence[int] | None = None, options: Any = None
) -> list[Link]:
    """Validate the hall's links (or the given ones) from the store and save status and report.

    Stores each link's status (ok / warning / error), report, the hall revision it was computed at
    and what its walk touched, with one bulk update. `options`: engine Options (default: its own).
    """
    from apps.plant.selectors import link_reports_for_hall

    revision = Hall.objects.filter(pk=hall_id).values_list("plant_revision", flat=True).get()
    results = link_reports_for_hall(hall_id=hall_id, link_ids=link_ids, options=options)
    links = list(Link.objects.filter(pk__in=[r.link_id for r in results]).order_by("pk"))
    by_id = {r.link_id: r for r in results}
    for link in links:
        result = by_id[link.pk]
        link.status = result.status
        link.last_report = result.report
        link.status_revision = revision
        link.needs_revalidation = False
        link.touched_cable_ids = sorted(result.cable_ids)
        link.touched_port_ids = sorted(result.port_ids)
    Link.objects.bulk_update(
        links,
        [
            "status",
            "last_report",
            "status_revision",
            "needs_revalidation",
            "touched_cable_ids",
            "touched_port_ids",
        ],
    )
    return links


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
