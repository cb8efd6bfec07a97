"""Hall export and import: one JSON document per hall, objects named by natural keys.

    {"format": "fiber-hall", "version": 1, "site": "DC1",
     "hall": {"name", "polarity_method", "standard_duplex_cord", "standard_array_cord",
              "rack_pitch_mm", "row_pitch_mm", "tray_height_mm", "rack_floor_offset_mm",
              "cable_slack_mm"},
     "rows": [{"name", "index", "racks": [{"name", "position", "height_u",
         "devices": [{"name", "kind", "u", "height_u",
                      "transceivers": [{"cage", "product", "revision"}]}],
         "enclosures": [{"name", "product", "revision", "u",
                         "modules": [{"slot", "product", "revision", "orientation"}]}]}]}],
     "cables": [{"label", "product", "revision", "length_mm", "status",
                 "legs": [{"leg": "A1", "port": <port>, "side": "front"}]}],   (mated legs only)
     "links": [{"name", "shape", "ends": [{"role", "port": <port>, "lanes", "application"}]}]}

    <port> = {"device": "leaf-1", "cage": "1", "port": "1"}          a transceiver receptacle
           | {"enclosure": "R01-U40", "slot": 2, "port": "R1"}      a cassette or panel port
           (+ "hall": "Hall 2" when the port is in another hall of the site)

Natural keys: rows, racks, devices and enclosures by name (unique in a hall), a transceiver by
(device, cage), a module by (enclosure, slot), a cable by label and a link by name (unique in the
project). Ports and legs are not listed: they come from the catalog product, as the services make
them. Products are catalog codes with the revision number (omitted on import: the current one).

Import validates the whole document first (every reference resolves, products exist and are of the
right kind, U ranges fit and do not overlap, slots exist, one mating per port side, one link end
per port, names not taken elsewhere in the project) and raises one `DocumentInvalid` listing every
error with a JSON pointer; then it applies the difference in one transaction: creating, updating
(a product change replaces a transceiver, module or cable and re-plugs what the document plugs into
it) and, only with `prune=True`, deleting what the document does not list. Importing the same
document twice changes nothing the second time.

Bulk: reads are a fixed number of `values_list` queries; new rows are written per table with one
`nextval` query and one COPY (fixed queries whatever the size, far faster than INSERT for the
generator's hundreds of thousands of rows); single-object services are not used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from apps.accounts.models import Project, User
from apps.catalog.models import Application, Product, ProductRevision
from apps.core.exceptions import ApplicationError
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

FORMAT = "fiber-hall"
VERSION = 1
KINDS = (
    "halls",
    "rows",
    "racks",
    "devices",
    "transceivers",
    "enclosures",
    "modules",
    "cables",
    "matings",
    "links",
)
HALL_FIELDS = (
    "polarity_method",
    "rack_pitch_mm",
    "row_pitch_mm",
    "tray_height_mm",
    "rack_floor_offset_mm",
    "cable_slack_mm",
)
HALL_DEFAULTS: dict[str, Any] = {
    "polarity_method": Hall.PolarityMethod.B,
    "rack_pitch_mm": 600,
    "row_pitch_mm": 2400,
    "tray_height_mm": 2600,
    "rack_floor_offset_mm": 0,
    "cable_slack_mm": None,
}

_DEVICE_KIND = frozenset(Device.Kind.values)
_MODULE_ORIENTATION = frozenset(Module.Orientation.values)
_CABLE_STATUS = frozenset(Cable.Status.values)
_LINK_SHAPE = frozenset(Link.Shape.values)
_HALL_POLARITYMETHOD = frozenset(Hall.PolarityMethod.values)

# ("t", device, cage, label) | ("m", enclosure, slot, label), with the hall name first ("" = here)
PortKey = tuple[str, str, str, Any, str]


class DocumentInvalid(ApplicationError):
    """A hall document that cannot be imported; `errors` lists every problem with its pointer."""

    def __init__(self, errors: list[dict[str, str]]):
        shown = "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(
            f"The hall document has {len(errors)} error(s): {shown}{more}",
            code="invalid_document",
            attr="document",
        )
        self.errors = errors


@dataclass
class ImportReport:
    """What an import changed, per kind of object."""

    hall: Hall
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return any(self.totals().values())

    def totals(self) -> dict[str, int]:
        """Created, updated and deleted objects of every kind."""
        return {
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "deleted": sum(self.deleted.values()),
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "hall": self.hall.pk,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "deleted": dict(self.deleted),
            **self.totals(),
        }


# --- export --------------------------------------------------------------------------------------


def _port_ref(
    hall_name: str,
    here: str,
    label: str,
    device: str | None,
    cage: str | None,
    enclosure: str | None,
    slot: int | None,
) -> dict[str, Any]:
    ref: dict[str, Any] = {}
    if hall_name != here:
        ref["hall"] = hall_name
    if device is not None:
        ref.update(device=device, cage=cage, port=label)
    else:
        ref.update(enclosure=enclosure, slot=slot, port=label)
    return ref


PORT_FIELDS = (
    "port__hall__name",
    "port__label",
    "port__transceiver__device__name",
    "port__transceiver__cage",
    "port__module__enclosure__name",
    "port__module__slot",
)


def hall_export(*, hall: Hall) -> dict[str, Any]:
    """The hall as one JSON document of natural keys (11 queries whatever its size)."""
    info = (
        Hall.objects.filter(pk=hall.pk)
        .values(
            "name",
            "site__name",
            "standard_duplex_cord__code",
            "standard_array_cord__code",
            *HALL_FIELDS,
        )
        .get()
    )
    here = info["name"]
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "site": info["site__name"],
        "hall": {
            "name": here,
            "polarity_method": info["polarity_method"],
            "standard_duplex_cord": info["standard_duplex_cord__code"],
            "standard_array_cord": info["standard_array_cord__code"],
            **{name: info[name] for name in HALL_FIELDS[1:]},
        },
    }
    product = ("product_revision__product__code", "product_revision__number")
    transceivers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for device_id, cage, code, number in Transceiver.objects.filter(hall=hall).values_list(
        "device_id", "cage", *product
    ):
        transceivers[device_id].append({"cage": cage, "product": code, "revision": number})
    devices: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, rack_id, name, kind, u, height in Device.objects.filter(hall=hall).values_list(
        "id", "rack_id", "name", "kind", "u_position", "height_u"
    ):
        cages = sorted(transceivers.get(pk, []), key=lambda t: _natural(t["cage"]))
        devices[rack_id].append(
            {"name": name, "kind": kind, "u": u, "height_u": height, "transceivers": cages}
        )
    modules: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for enclosure_id, slot, code, number, orientation in Module.objects.filter(
        hall=hall
    ).values_list("enclosure_id", "slot", *product, "orientation"):
        modules[enclosure_id].append(
            {"slot": slot, "product": code, "revision": number, "orientation": orientation}
        )
    enclosures: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, rack_id, name, code, number, u in Enclosure.objects.filter(hall=hall).values_list(
        "id", "rack_id", "name", *product, "u_position"
    ):
        enclosures[rack_id].append(
            {
                "name": name,
                "product": code,
                "revision": number,
                "u": u,
                "modules": sorted(modules.get(pk, []), key=lambda m: m["slot"]),
            }
        )
    racks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, row_id, name, position, height in Rack.objects.filter(hall=hall).values_list(
        "id", "row_id", "name", "position", "height_u"
    ):
        racks[row_id].append(
            {
                "name": name,
                "position": position,
                "height_u": height,
                "devices": sorted(devices.get(pk, []), key=lambda d: (d["u"], d["name"])),
                "enclosures": sorted(enclosures.get(pk, []), key=lambda e: (e["u"], e["name"])),
            }
        )
    document["rows"] = [
        {
            "name": name,
            "index": index,
            "racks": sorted(racks.get(pk, []), key=lambda r: r["position"]),
        }
        for pk, name, index in Row.objects.filter(hall=hall)
        .order_by("index")
        .values_list("id", "name", "index")
    ]
    legs: dict[int, list[tuple[tuple[str, int], dict[str, Any]]]] = defaultdict(list)
    for cable_id, end, index, side, *port in Mating.objects.filter(
        leg__cable__hall=hall
    ).values_list("leg__cable_id", "leg__end", "leg__index", "side", *PORT_FIELDS):
        legs[cable_id].append(
            (
                (end, index),
                {"leg": f"{end}{index}", "port": _port_ref(port[0], here, *port[1:]), "side": side},
            )
        )
    document["cables"] = [
        {
            "label": label,
            "product": code,
            "revision": number,
            "length_mm": length,
            "status": status,
            "legs": [item for _key, item in sorted(legs.get(pk, []), key=lambda x: x[0])],
        }
        for pk, label, code, number, length, status in Cable.objects.filter(hall=hall)
        .order_by("label")
        .values_list("id", "label", *product, "length_mm", "status")
    ]
    ends: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for link_id, role, lanes, application, *port in LinkEnd.objects.filter(
        link__hall=hall
    ).values_list("link_id", "role", "lanes", "application__code", *PORT_FIELDS):
        ends[link_id].append(
            {
                "role": role,
                "port": _port_ref(port[0], here, *port[1:]),
                "lanes": list(lanes),
                "application": application,
            }
        )
    order = {"a": 0, "b": 1, "parent": 0, "child": 2}
    document["links"] = [
        {
            "name": name,
            "shape": shape,
            "ends": sorted(
                ends.get(pk, []), key=lambda e: (order[e["role"]], e["lanes"], _sort_ref(e))
            ),
        }
        for pk, name, shape in Link.objects.filter(hall=hall)
        .order_by("name")
        .values_list("id", "name", "shape")
    ]
    return document


def _natural(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (1 << 30, text)


def _sort_ref(end: dict[str, Any]) -> str:
    return repr(sorted(end["port"].items()))


# --- import: reading the document ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Revision:
    pk: int
    code: str
    number: int
    kind: str
    spec: dict[str, Any]
    product: int


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, pointer: str, detail: str, code: str = "invalid") -> None:
        item = {"pointer": pointer, "code": code, "detail": detail}
        if item not in self.items[-3:]:
            self.items.append(item)


def _field(
    errors: _Errors,
    obj: Any,
    key: str,
    path: str,
    types: type | tuple[type, ...],
    *,
    required: bool = True,
    default: Any = None,
) -> Any:
    if not isinstance(obj, dict):
        errors.add(path, "Expected an object.", "invalid_type")
        return default
    if key not in obj or obj[key] is None:
        if required:
            errors.add(f"{path}/{key}", "This field is required.", "required")
        return default
    value = obj[key]
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        errors.add(f"{path}/{key}", "Wrong type.", "invalid_type")
        return default
    if not isinstance(value, types):
        errors.add(f"{path}/{key}", "Wrong type.", "invalid_type")
        return default
    return value


def _list(errors: _Errors, obj: Any, key: str, path: str) -> list[Any]:
    value = _field(errors, obj, key, path, list, required=False, default=[])
    return value if isinstance(value, list) else []


@dataclass
class _Wanted:
    """The document, read into keyed dicts (values keep their JSON pointer for errors)."""

    site: str = ""
    hall: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (index, path)
    racks: dict[str, tuple[str, int, int, str]] = field(default_factory=dict)
    devices: dict[str, tuple[str, str, int, int, str]] = field(default_factory=dict)
    transceivers: dict[tuple[str, str], tuple[_Revision | None, str]] = field(default_factory=dict)
    enclosures: dict[str, tuple[str, _Revision | None, int, str]] = field(default_factory=dict)
    modules: dict[tuple[str, int], tuple[_Revision | None, str, str]] = field(default_factory=dict)
    cables: dict[str, tuple[_Revision | None, int | None, str, str]] = field(default_factory=dict)
    matings: dict[tuple[str, str], tuple[PortKey, str, str]] = field(default_factory=dict)
    links: dict[
        str, tuple[str, tuple[tuple[str, PortKey, tuple[int, ...], str | None], ...], str]
    ] = field(default_factory=dict)


def _port_key(errors: _Errors, ref: Any, path: str, here: str) -> PortKey | None:
    if not isinstance(ref, dict):
        errors.add(path, "A port is an object naming a device and cage or an enclosure and slot.")
        return None
    hall_name = ref.get("hall") or ""
    if hall_name == here:
        hall_name = ""
    label = _field(errors, ref, "port", path, str)
    if "device" in ref:
        device = _field(errors, ref, "device", path, str)
        cage = _field(errors, ref, "cage", path, str)
        if None in (label, device, cage):
            return None
        return (hall_name, "t", device, cage, label)
    if "enclosure" in ref:
        enclosure = _field(errors, ref, "enclosure", path, str)
        slot = _field(errors, ref, "slot", path, int)
        if None in (label, enclosure, slot):
            return None
        return (hall_name, "m", enclosure, slot, label)
    errors.add(path, "A port names a device and cage or an enclosure and slot.")
    return None


def _read(
    errors: _Errors, document: Any, revisions: dict[tuple[str, int | None], _Revision]
) -> _Wanted:
    wanted = _Wanted()
    if not isinstance(document, dict):
        errors.add("", "The document is a JSON object.")
        return wanted
    if document.get("format") != FORMAT:
        errors.add("/format", f'Expected "{FORMAT}".')
    if document.get("version") != VERSION:
        errors.add("/version", f"Expected {VERSION}.")
    wanted.site = _field(errors, document, "site", "", str, default="")
    hall = _field(errors, document, "hall", "", dict, default={})
    wanted.hall = dict(hall)
    here = _field(errors, hall, "name", "/hall", str, default="")
    if hall.get("polarity_method", "B") not in _HALL_POLARITYMETHOD:
        errors.add("/hall/polarity_method", "Unknown polarity method.")

    def product(obj: Any, path: str, kinds: Sequence[str]) -> _Revision | None:
        code = _field(errors, obj, "product", path, str)
        number = _field(errors, obj, "revision", path, int, required=False)
        if code is None:
            return None
        found = revisions.get((code, number))
        if found is None:
            errors.add(
                f"{path}/product",
                f"No catalog product {code}" + (f" revision {number}." if number else "."),
                "unknown_product",
            )
            return None
        if found.kind not in kinds:
            errors.add(
                f"{path}/product",
                f"{code} is a {found.kind}, not a {' or '.join(kinds)}.",
                "invalid_product",
            )
            return None
        return found

    def unique(seen: dict[Any, Any], key: Any, path: str, what: str) -> bool:
        if key in seen:
            errors.add(path, f"{what} appears twice.", "duplicate")
            return False
        return True

    positions: set[tuple[str, int]] = set()
    for r, row in enumerate(_list(errors, document, "rows", "")):
        path = f"/rows/{r}"
        name = _field(errors, row, "name", path, str)
        index = _field(errors, row, "index", path, int)
        if name is None or index is None or not unique(wanted.rows, name, path, f"Row {name}"):
            continue
        wanted.rows[name] = (index, path)
        for k, rack in enumerate(_list(errors, row, "racks", path)):
            rpath = f"{path}/racks/{k}"
            rname = _field(errors, rack, "name", rpath, str)
            position = _field(errors, rack, "position", rpath, int)
            height = _field(errors, rack, "height_u", rpath, int, required=False, default=42)
            if rname is None or position is None:
                continue
            if not unique(wanted.racks, rname, rpath, f"Rack {rname}"):
                continue
            if (name, position) in positions:
                errors.add(f"{rpath}/position", f"Position {position} is taken.", "duplicate")
            positions.add((name, position))
            wanted.racks[rname] = (name, position, height, rpath)
            for d, device in enumerate(_list(errors, rack, "devices", rpath)):
                dpath = f"{rpath}/devices/{d}"
                dname = _field(errors, device, "name", dpath, str)
                u = _field(errors, device, "u", dpath, int)
                dheight = _field(errors, device, "height_u", dpath, int, required=False, default=1)
                kind = _field(errors, device, "kind", dpath, str, required=False, default="switch")
                if kind not in _DEVICE_KIND:
                    errors.add(f"{dpath}/kind", "Unknown device kind.")
                if dname is None or u is None:
                    continue
                if not unique(wanted.devices, dname, dpath, f"Device {dname}"):
                    continue
                wanted.devices[dname] = (rname, kind, u, dheight, dpath)
                for t, item in enumerate(_list(errors, device, "transceivers", dpath)):
                    tpath = f"{dpath}/transceivers/{t}"
                    cage = _field(errors, item, "cage", tpath, str)
                    found = product(item, tpath, ("transceiver",))
                    if cage is not None and unique(
                        wanted.transceivers, (dname, cage), tpath, f"Cage {cage}"
                    ):
                        wanted.transceivers[(dname, cage)] = (found, tpath)
            for e, enclosure in enumerate(_list(errors, rack, "enclosures", rpath)):
                epath = f"{rpath}/enclosures/{e}"
                ename = _field(errors, enclosure, "name", epath, str)
                u = _field(errors, enclosure, "u", epath, int)
                found = product(enclosure, epath, ("enclosure",))
                if ename is None or u is None:
                    continue
                if not unique(wanted.enclosures, ename, epath, f"Enclosure {ename}"):
                    continue
                wanted.enclosures[ename] = (rname, found, u, epath)
                for m, module in enumerate(_list(errors, enclosure, "modules", epath)):
                    mpath = f"{epath}/modules/{m}"
                    slot = _field(errors, module, "slot", mpath, int)
                    orientation = _field(
                        errors, module, "orientation", mpath, str, required=False, default="normal"
                    )
                    if orientation not in _MODULE_ORIENTATION:
                        errors.add(f"{mpath}/orientation", "Unknown orientation.")
                    mfound = product(module, mpath, ("cassette", "panel"))
                    if slot is not None and unique(
                        wanted.modules, (ename, slot), mpath, f"Slot {slot}"
                    ):
                        wanted.modules[(ename, slot)] = (mfound, orientation, mpath)
    for c, cable in enumerate(_list(errors, document, "cables", "")):
        path = f"/cables/{c}"
        label = _field(errors, cable, "label", path, str)
        found = product(cable, path, ("cable",))
        length = _field(errors, cable, "length_mm", path, int, required=False)
        status = _field(errors, cable, "status", path, str, required=False, default="planned")
        if status not in _CABLE_STATUS:
            errors.add(f"{path}/status", "Unknown status.")
        if label is None or not unique(wanted.cables, label, path, f"Cable {label}"):
            continue
        wanted.cables[label] = (found, length, status, path)
        for g, leg in enumerate(_list(errors, cable, "legs", path)):
            gpath = f"{path}/legs/{g}"
            face = _field(errors, leg, "leg", gpath, str)
            side = _field(errors, leg, "side", gpath, str, required=False, default="front")
            key = _port_key(
                errors, leg.get("port") if isinstance(leg, dict) else None, f"{gpath}/port", here
            )
            if face is None or key is None:
                continue
            if not unique(wanted.matings, (label, face), gpath, f"Leg {face}"):
                continue
            wanted.matings[(label, face)] = (key, side, gpath)
    for n, link in enumerate(_list(errors, document, "links", "")):
        path = f"/links/{n}"
        name = _field(errors, link, "name", path, str)
        shape = _field(errors, link, "shape", path, str, required=False, default="aggregate")
        ends = []
        for j, end in enumerate(_list(errors, link, "ends", path)):
            jpath = f"{path}/ends/{j}"
            role = _field(errors, end, "role", jpath, str)
            key = _port_key(
                errors, end.get("port") if isinstance(end, dict) else None, f"{jpath}/port", here
            )
            lanes = _field(errors, end, "lanes", jpath, list, required=False, default=[])
            application = _field(errors, end, "application", jpath, str, required=False)
            if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in lanes):
                errors.add(f"{jpath}/lanes", "Lanes are parent lane numbers (0-based).")
                lanes = []
            if role is None or key is None:
                continue
            ends.append((role, key, tuple(lanes), application))
        if name is None or not unique(wanted.links, name, path, f"Link {name}"):
            continue
        roles = sorted(role for role, *_ in ends)
        if shape == Link.Shape.AGGREGATE and roles != ["a", "b"]:
            errors.add(f"{path}/ends", "An aggregate link has one end a and one end b.")
        elif shape == Link.Shape.BREAKOUT:
            children = [lanes for role, _k, lanes, _a in ends if role == "child"]
            flat = [x for lanes in children for x in lanes]
            if roles.count("parent") != 1 or not children or len(roles) != len(children) + 1:
                errors.add(f"{path}/ends", "A breakout has one parent and children.")
            elif any(not lanes for lanes in children) or len(set(flat)) != len(flat):
                errors.add(f"{path}/ends", "Each child carries its own parent lanes.")
        elif shape not in _LINK_SHAPE:
            errors.add(f"{path}/shape", "Unknown shape.")
        wanted.links[name] = (shape, tuple(ends), path)
    return wanted


def _revisions(document: Any) -> dict[tuple[str, int | None], _Revision]:
    """Every product revision the document names, keyed (code, number) and (code, None)."""
    codes: set[str] = set()

    def items(parent: Any, key: str) -> list[Any]:
        value = parent.get(key) if isinstance(parent, dict) else None
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    for row in items(document, "rows"):
        for rack in items(row, "racks"):
            for device in items(rack, "devices"):
                codes.update(str(t.get("product")) for t in items(device, "transceivers"))
            for enclosure in items(rack, "enclosures"):
                codes.add(str(enclosure.get("product")))
                codes.update(str(m.get("product")) for m in items(enclosure, "modules"))
    codes.update(str(c.get("product")) for c in items(document, "cables"))
    out: dict[tuple[str, int | None], _Revision] = {}
    for pk, code, number, kind, current, spec, product in ProductRevision.objects.filter(
        product__code__in=sorted(codes)
    ).values_list(
        "id", "product__code", "number", "product__kind", "is_current", "spec", "product_id"
    ):
        revision = _Revision(pk, code, number, str(spec.get("kind") or kind), spec, product)
        out[(code, number)] = revision
        if current:
            out[(code, None)] = revision
    return out


def _port_labels(
    revision: _Revision, adapter_families: dict[str, str]
) -> dict[str, tuple[str, str]]:
    """label -> (face, family) of the ports the services create for a product (cached)."""
    found = _PORT_LABELS.get(revision.pk)
    if found is None:
        found = _PORT_LABELS[revision.pk] = _port_labels_of(revision, adapter_families)
    return found


_PORT_LABELS: dict[int, dict[str, tuple[str, str]]] = {}  # per import (cleared at its start)


def _port_labels_of(
    revision: _Revision, adapter_families: dict[str, str]
) -> dict[str, tuple[str, str]]:
    spec = revision.spec
    if revision.kind == "transceiver":
        return {
            str(item["label"]): (Port.Face.FRONT, str(item["family"]))
            for item in spec.get("receptacles") or []
        }
    if revision.kind == "panel":
        family = adapter_families.get(str(spec.get("adapter")), "")
        return {str(n): (Port.Face.BOTH, family) for n in range(1, int(spec["ports"]) + 1)}
    return {
        str(item["label"]): (str(item["face"]), str(item["family"]))
        for item in spec.get("ports") or []
    }


def _leg_faces(revision: _Revision) -> dict[str, str]:
    """face "A1" -> leg label, for the legs the services create for a cable product."""
    ends = revision.spec.get("ends") or {}
    return {
        f"{end}{index}": str(item.get("label") or f"{end}{index}")
        for end in ("A", "B")
        for index, item in enumerate(ends.get(end) or [], start=1)
    }


# --- import: the stored hall ---------------------------------------------------------------------


@dataclass
class _Stored:
    """The hall as stored, keyed like `_Wanted` (ids and the values an import compares)."""

    rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (id, index)
    racks: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    devices: dict[str, tuple[int, int, str, int, int]] = field(default_factory=dict)
    transceivers: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)
    enclosures: dict[str, tuple[int, int, int, int, int]] = field(default_factory=dict)
    modules: dict[tuple[str, int], tuple[int, int, int, str]] = field(default_factory=dict)
    ports: dict[PortKey, tuple[int, str]] = field(default_factory=dict)  # key -> (id, face)
    cables: dict[str, tuple[int, int, int | None, str]] = field(default_factory=dict)
    legs: dict[tuple[str, str], int] = field(default_factory=dict)  # (label, face) -> leg id
    matings: dict[tuple[str, str], tuple[int, int, str]] = field(default_factory=dict)
    links: dict[str, tuple[int, str]] = field(default_factory=dict)
    ends: dict[str, tuple[tuple[str, int, tuple[int, ...], str | None], ...]] = field(
        default_factory=dict
    )
    products: dict[int, int] = field(default_factory=dict)  # revision id -> product id
    foreign: dict[int, PortKey] = field(default_factory=dict)  # ports elsewhere it uses


def _stored(hall: Hall | None) -> _Stored:
    stored = _Stored()
    if hall is None:
        return stored
    rows = {}
    for pk, name, index in Row.objects.filter(hall=hall).values_list("id", "name", "index"):
        stored.rows[name] = (pk, index)
        rows[pk] = name
    racks = {}
    for pk, name, row_id, position, height in Rack.objects.filter(hall=hall).values_list(
        "id", "name", "row_id", "position", "height_u"
    ):
        stored.racks[name] = (pk, row_id, position, height)
        racks[pk] = name
    devices = {}
    for pk, name, rack_id, kind, u, height in Device.objects.filter(hall=hall).values_list(
        "id", "name", "rack_id", "kind", "u_position", "height_u"
    ):
        stored.devices[name] = (pk, rack_id, kind, u, height)
        devices[pk] = name
    transceivers = {}
    for pk, device_id, cage, revision, product in Transceiver.objects.filter(hall=hall).values_list(
        "id", "device_id", "cage", "product_revision_id", "product_revision__product"
    ):
        stored.transceivers[(devices[device_id], cage)] = (pk, device_id, revision)
        stored.products[revision] = product
        transceivers[pk] = (devices[device_id], cage)
    enclosures = {}
    for pk, name, rack_id, revision, u, height, product in Enclosure.objects.filter(
        hall=hall
    ).values_list(
        "id",
        "name",
        "rack_id",
        "product_revision_id",
        "u_position",
        "height_u",
        "product_revision__product",
    ):
        stored.enclosures[name] = (pk, rack_id, revision, u, height)
        stored.products[revision] = product
        enclosures[pk] = name
    modules = {}
    for pk, enclosure_id, slot, revision, orientation, product in Module.objects.filter(
        hall=hall
    ).values_list(
        "id",
        "enclosure_id",
        "slot",
        "product_revision_id",
        "orientation",
        "product_revision__product",
    ):
        stored.modules[(enclosures[enclosure_id], slot)] = (pk, enclosure_id, revision, orientation)
        stored.products[revision] = product
        modules[pk] = (enclosures[enclosure_id], slot)
    for pk, t_id, m_id, label, face in Port.objects.filter(hall=hall).values_list(
        "id", "transceiver_id", "module_id", "label", "face"
    ):
        owner = ("t", *transceivers[t_id]) if t_id else ("m", *modules[m_id])
        stored.ports[("", *owner, label)] = (pk, face)
    for pk, label, revision, length, status, product in Cable.objects.filter(hall=hall).values_list(
        "id", "label", "product_revision_id", "length_mm", "status", "product_revision__product"
    ):
        stored.cables[label] = (pk, revision, length, status)
        stored.products[revision] = product
    for pk, label, end, index, mating, port_id, side in CableLeg.objects.filter(
        cable__hall=hall
    ).values_list(
        "id", "cable__label", "end", "index", "mating__id", "mating__port_id", "mating__side"
    ):
        stored.legs[(label, f"{end}{index}")] = pk
        if mating is not None:
            stored.matings[(label, f"{end}{index}")] = (mating, port_id, side)
    for pk, name, shape in Link.objects.filter(hall=hall).values_list("id", "name", "shape"):
        stored.links[name] = (pk, shape)
    ends: dict[str, list[tuple[str, int, tuple[int, ...], str | None]]] = defaultdict(list)
    for name, role, port_id, lanes, application in (
        LinkEnd.objects.filter(link__hall=hall)
        .order_by("pk")
        .values_list("link__name", "role", "port_id", "lanes", "application__code")
    ):
        ends[name].append((role, port_id, tuple(lanes), application))
    stored.ends = {name: tuple(items) for name, items in ends.items()}
    elsewhere = Q(link_end__link__hall=hall) | Q(matings__leg__cable__hall=hall)
    for pk, hall_name, label, _face, device, cage, enclosure, slot in (
        Port.objects.filter(elsewhere)
        .exclude(hall=hall)
        .distinct()
        .values_list(
            "id",
            "hall__name",
            "label",
            "face",
            "transceiver__device__name",
            "transceiver__cage",
            "module__enclosure__name",
            "module__slot",
        )
    ):
        owner = ("t", device, cage) if device is not None else ("m", enclosure, slot)
        stored.foreign[pk] = (hall_name, *owner, label)
    return stored


def _foreign_ports(
    site: Site | None, here: str, keys: Iterable[PortKey]
) -> dict[PortKey, tuple[int, str]]:
    """Ports of other halls of the site that the document names: key -> (id, face)."""
    halls = sorted({key[0] for key in keys if key[0]})
    if site is None or not halls:
        return {}
    out: dict[PortKey, tuple[int, str]] = {}
    for pk, hall_name, label, face, device, cage, enclosure, slot in (
        Port.objects.filter(hall__site=site, hall__name__in=halls)
        .exclude(hall__name=here)
        .values_list(
            "id",
            "hall__name",
            "label",
            "face",
            "transceiver__device__name",
            "transceiver__cage",
            "module__enclosure__name",
            "module__slot",
        )
    ):
        owner = ("t", device, cage) if device is not None else ("m", enclosure, slot)
        out[(hall_name, *owner, label)] = (pk, face)
    return out


# --- import: bulk writes -------------------------------------------------------------------------


def _insert(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert rows (column values in `columns` order) in two queries; returns their new ids.

    One `nextval` query reserves the ids, one COPY writes the rows with their timestamps: a fixed
    number of queries per table whatever the count, and no model instances.
    """
    if not rows:
        return []
    table = model._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        names = ", ".join(
            connection.ops.quote_name(c) for c in ["id", "created", "updated", *columns]
        )
        stamp = now.isoformat()
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
        ) as copy:
            # COPY's text format written by hand: several times faster than write_row per row
            chunk: list[str] = []
            for pk, row in zip(ids, rows, strict=True):
                chunk.append(f"{pk}\t{stamp}\t{stamp}\t" + "\t".join(map(_copy_text, row)) + "\n")
                if len(chunk) == 10_000:
                    copy.write("".join(chunk))
                    chunk.clear()
            copy.write("".join(chunk))
    return ids


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return str(value).translate(_ESCAPES)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "{" + ",".join(str(int(v)) for v in value) + "}"
    return str(value).translate(_ESCAPES)


def _r(revision: _Revision | None) -> _Revision:
    """A revision the validation has already checked exists."""
    assert revision is not None
    return revision


def _delete(model: type[Model], ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    model._default_manager.filter(pk__in=ids).delete()
    return len(ids)


# --- import --------------------------------------------------------------------------------------


def hall_import(
    *, project: Project, document: Any, prune: bool = False, by: User | None = None
) -> ImportReport:
    """Create or update a hall of the project from a hall document (see the module docstring).

    Raises DocumentInvalid (400, every error with its JSON pointer) before writing anything.
    """
    with transaction.atomic():
        return _import(project=project, document=document, prune=prune, by=by)


def _import(*, project: Project, document: Any, prune: bool, by: User | None) -> ImportReport:
    errors = _Errors()
    _PORT_LABELS.clear()
    revisions = _revisions(document)
    wanted = _read(errors, document, revisions)
    here = str(wanted.hall.get("name") or "")
    site = Site.objects.filter(project=project, name=wanted.site).first() if wanted.site else None
    hall = (
        Hall.objects.select_for_update().filter(site=site, name=here).first()
        if site is not None and here
        else None
    )
    stored = _stored(hall)
    cords = {key: wanted.hall.get(key) for key in ("standard_duplex_cord", "standard_array_cord")}
    cord_products = {
        code: (pk, kind)
        for code, pk, kind in Product.objects.filter(
            code__in=[c for c in cords.values() if isinstance(c, str)]
        ).values_list("code", "id", "kind")
    }
    for key, code in cords.items():
        if code is not None and cord_products.get(code, (0, ""))[1] != Product.Kind.CABLE:
            errors.add(f"/hall/{key}", f"{code} is not a cable of the catalog.", "invalid_product")
    adapter_codes = {str(r.spec.get("adapter")) for r in revisions.values() if r.kind == "panel"}
    adapter_families = {
        code: str(spec.get("family"))
        for code, spec in ProductRevision.objects.filter(
            product__code__in=sorted(adapter_codes), is_current=True
        ).values_list("product__code", "spec")
    }
    plan = _plan(errors, wanted, stored, prune, adapter_families, revisions)
    foreign = _foreign_ports(site, here, [*plan.final_matings.values(), *plan.end_keys()])
    _check_references(errors, wanted, plan, foreign)
    for kind, names, pointer in (
        ("cable", {k: v[3] for k, v in wanted.cables.items()}, "/label"),
        ("link", {k: v[2] for k, v in wanted.links.items()}, "/name"),
    ):
        for name in _taken_elsewhere(kind, project, hall, list(names)):
            errors.add(
                names[name] + pointer, f"The {kind} {name} exists in another hall.", "duplicate"
            )
    applications = {
        code: pk
        for code, pk in Application.objects.filter(
            code__in=sorted(
                {a for link in wanted.links.values() for *_x, a in link[1] if a}
                | {a for a in plan.t_apps.values() if a}
            )
        ).values_list("code", "id")
    }
    for link in wanted.links.values():
        for j, (_role, _key, _lanes, application) in enumerate(link[1]):
            if application and application not in applications:
                errors.add(
                    f"{link[2]}/ends/{j}/application",
                    f"No application {application}.",
                    "unknown_application",
                )
    if errors.items:
        raise DocumentInvalid(errors.items)
    report = ImportReport(hall=hall)  # type: ignore[arg-type]
    if site is None:
        site = Site.objects.create(project=project, name=wanted.site)
    hall_values = {name: wanted.hall.get(name, HALL_DEFAULTS[name]) for name in HALL_FIELDS}
    hall_values["standard_duplex_cord_id"] = cord_products.get(
        cords["standard_duplex_cord"] or "", (None, "")
    )[0]
    hall_values["standard_array_cord_id"] = cord_products.get(
        cords["standard_array_cord"] or "", (None, "")
    )[0]
    if hall is None:
        hall = Hall.objects.create(site=site, project=project, name=here, **hall_values)
        report.created["halls"] += 1
    elif any(getattr(hall, k) != v for k, v in hall_values.items()):
        Hall.objects.filter(pk=hall.pk).update(**hall_values)
        report.updated["halls"] += 1
    report.hall = hall
    _apply(plan, wanted, stored, hall, report, foreign, applications, by)
    if report.changed:
        Hall.objects.filter(pk=hall.pk).update(plant_revision=F("plant_revision") + 1)
        hall.refresh_from_db(fields=["plant_revision"])
    return report


@dataclass
class _Plan:
    """The final state of the hall (document over store) and what to replace."""

    racks_rows: dict[str, str]  # rack -> row, final
    owner_ports: dict[tuple[str, Any, Any], dict[str, tuple[str, str]]]  # owner -> labels
    final_matings: dict[tuple[str, str], PortKey]
    final_sides: dict[tuple[str, str], str]
    final_links: dict[str, tuple[tuple[str, PortKey, tuple[int, ...], str | None], ...]]
    replaced_transceivers: set[tuple[str, str]]
    replaced_modules: set[tuple[str, int]]
    replaced_cables: set[str]
    cable_faces: dict[str, dict[str, str]]  # final cable -> its leg faces
    final: dict[str, set[Any]] = field(default_factory=dict)  # kind -> final natural keys
    t_apps: dict[tuple[str, str], str | None] = field(default_factory=dict)  # default apps

    def end_keys(self) -> list[PortKey]:
        return [key for ends in self.final_links.values() for _r, key, _l, _a in ends]


def _plan(
    errors: _Errors,
    wanted: _Wanted,
    stored: _Stored,
    prune: bool,
    adapter_families: dict[str, str],
    revisions: dict[tuple[str, int | None], _Revision],
) -> _Plan:
    by_pk = {r.pk: r for r in revisions.values()}
    missing = set(stored.products) - set(by_pk)
    if missing:
        for pk, code, number, kind, spec, product in ProductRevision.objects.filter(
            pk__in=sorted(missing)
        ).values_list("id", "product__code", "number", "product__kind", "spec", "product_id"):
            by_pk[pk] = _Revision(pk, code, number, str(spec.get("kind") or kind), spec, product)
    products = {pk: revision.product for pk, revision in by_pk.items()}
    keep = not prune
    # rows and racks
    rows = set(wanted.rows) | (set(stored.rows) if keep else set())
    stored_rows = {pk: name for name, (pk, _i) in stored.rows.items()}
    racks: dict[str, tuple[str, int, int, str]] = {}
    if keep:
        for name, (_pk, row_id, position, height) in stored.racks.items():
            racks[name] = (stored_rows[row_id], position, height, "")
    racks.update(wanted.racks)
    indices: dict[int, str] = {}
    for name in rows:
        index = wanted.rows[name][0] if name in wanted.rows else stored.rows[name][1]
        if index in indices:
            path = wanted.rows.get(name, wanted.rows.get(indices[index], (0, "/rows")))[1]
            errors.add(f"{path}/index", f"Row index {index} is taken.", "duplicate")
        indices[index] = name
    places: dict[tuple[str, int], str] = {}
    for name, (row, position, height, path) in racks.items():
        if row not in rows:
            errors.add(path or "/rows", f"Row {row} does not exist.", "does_not_exist")
        if (row, position) in places and path:
            errors.add(
                f"{path}/position",
                f"Position {position} is taken by rack {places[(row, position)]}.",
                "position_occupied",
            )
        places[(row, position)] = name
        if height < 1:
            errors.add(f"{path}/height_u", "A rack is at least 1 U tall.")
    stored_racks = {pk: name for name, (pk, *_r) in stored.racks.items()}
    # U occupancy: devices and enclosures
    occupants: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    if keep:
        for name, (_pk, rack_id, _k, u, height) in stored.devices.items():
            if name not in wanted.devices:
                occupants[stored_racks[rack_id]].append((u, height, name, ""))
        for name, (_pk, rack_id, _r, u, height) in stored.enclosures.items():
            if name not in wanted.enclosures:
                occupants[stored_racks[rack_id]].append((u, height, name, ""))
    for name, (rack, _kind, u, height, path) in wanted.devices.items():
        occupants[rack].append((u, height, name, path))
    enclosure_revisions: dict[str, _Revision | None] = {}
    for name, (rack, revision, u, path) in wanted.enclosures.items():
        height = int((revision.spec.get("rack_units") if revision else 1) or 1)
        occupants[rack].append((u, height, name, path))
        enclosure_revisions[name] = revision
    if keep:
        for name, (_pk, _rack, revision_id, _u, _h) in stored.enclosures.items():
            enclosure_revisions.setdefault(name, by_pk.get(revision_id))
    for rack, items in occupants.items():
        if rack not in racks:
            for _u, _h, _name, path in items:
                errors.add(path, f"Rack {rack} does not exist.", "does_not_exist")
            continue
        rack_height = racks[rack][2]
        items.sort()
        top_seen = 0
        last = ""
        for u, height, name, path in items:
            top = u + height - 1
            if u < 1 or top > rack_height:
                errors.add(
                    f"{path}/u",
                    f"U{u}-U{top} does not fit a {rack_height} U rack.",
                    "u_out_of_range",
                )
            if u <= top_seen:
                errors.add(f"{path}/u", f"U{u}-U{top} overlaps {last}.", "u_occupied")
            if top > top_seen:
                top_seen, last = top, name
    # devices, transceivers, enclosures, modules: the owners of ports in the final state
    devices = set(wanted.devices) | (set(stored.devices) if keep else set())
    owner_ports: dict[tuple[str, Any, Any], dict[str, tuple[str, str]]] = {}
    replaced_t: set[tuple[str, str]] = set()
    final_t: dict[tuple[str, str], _Revision | None] = {}
    if keep:
        for key, (_pk, _d, revision_id) in stored.transceivers.items():
            final_t[key] = by_pk.get(revision_id)
    for key, (revision, _path) in wanted.transceivers.items():
        final_t[key] = revision
        old = stored.transceivers.get(key)
        if old is not None and revision is not None and products.get(old[2]) != revision.product:
            replaced_t.add(key)
    for key, revision in final_t.items():
        if key[0] not in devices:
            path = wanted.transceivers.get(key, (None, "/rows"))[1]
            errors.add(path, f"Device {key[0]} does not exist.", "does_not_exist")
        if revision is not None:
            owner_ports[("t", *key)] = _port_labels(revision, adapter_families)
    enclosures = set(wanted.enclosures) | (set(stored.enclosures) if keep else set())
    replaced_m: set[tuple[str, int]] = set()
    final_m: dict[tuple[str, int], _Revision | None] = {}
    if keep:
        for mkey, (_pk, _e, revision_id, _o) in stored.modules.items():
            final_m[mkey] = by_pk.get(revision_id)
    for mkey, (revision, _o, _path) in wanted.modules.items():
        final_m[mkey] = revision
        old_m = stored.modules.get(mkey)
        if (
            old_m is not None
            and revision is not None
            and products.get(old_m[2]) != revision.product
        ):
            replaced_m.add(mkey)
    for mkey, revision in final_m.items():
        path = wanted.modules.get(mkey, (None, "", "/rows"))[2]
        if mkey[0] not in enclosures:
            errors.add(path, f"Enclosure {mkey[0]} does not exist.", "does_not_exist")
            continue
        enclosure = enclosure_revisions.get(mkey[0])
        slots = int((enclosure.spec.get("slots") if enclosure else 0) or 0)
        if enclosure is not None and not 1 <= mkey[1] <= slots:
            errors.add(f"{path}/slot", f"The enclosure has slots 1..{slots}.", "slot_out_of_range")
        if revision is not None:
            owner_ports[("m", *mkey)] = _port_labels(revision, adapter_families)
    # cables and matings
    replaced_c: set[str] = set()
    cable_faces: dict[str, dict[str, str]] = {}
    if keep:
        for label, (_pk, revision_id, _l, _s) in stored.cables.items():
            revision = by_pk.get(revision_id)
            if revision is not None:
                cable_faces[label] = _leg_faces(revision)
    for label, (revision, _l, _s, _path) in wanted.cables.items():
        if revision is None:
            continue
        cable_faces[label] = _leg_faces(revision)
        if label in stored.cables and products.get(stored.cables[label][1]) != products.get(
            revision.pk
        ):
            replaced_c.add(label)
    stored_port_keys = {pk: key for key, (pk, _f) in stored.ports.items()} | stored.foreign
    final_matings: dict[tuple[str, str], PortKey] = {}
    final_sides: dict[tuple[str, str], str] = {}
    if keep:
        for leg, (_m, port_id, side) in stored.matings.items():
            if leg[0] in wanted.cables and leg[0] in replaced_c:
                continue
            if leg[1] not in cable_faces.get(leg[0], {}):
                continue
            final_matings[leg] = stored_port_keys[port_id]
            final_sides[leg] = side
    for leg, (port_key, side, path) in wanted.matings.items():
        if leg[0] in cable_faces and leg[1] not in cable_faces[leg[0]]:
            errors.add(f"{path}/leg", f"Cable {leg[0]} has no leg {leg[1]}.", "does_not_exist")
            continue
        final_matings[leg] = port_key
        final_sides[leg] = side
    # links
    final_links: dict[str, tuple[tuple[str, PortKey, tuple[int, ...], str | None], ...]] = {}
    if keep:
        for name, stored_ends in stored.ends.items():
            if name not in wanted.links:
                final_links[name] = tuple(
                    (role, stored_port_keys[port_id], lanes, app)
                    for role, port_id, lanes, app in stored_ends
                )
    for name, (_shape, ends, _path) in wanted.links.items():
        final_links[name] = tuple(  # an end without an application runs its transceiver's
            (role, pkey, lanes, app or _default_app(pkey, final_t))
            for role, pkey, lanes, app in ends
        )
    return _Plan(
        racks_rows={name: value[0] for name, value in racks.items()},
        owner_ports=owner_ports,
        final_matings=final_matings,
        final_sides=final_sides,
        final_links=final_links,
        replaced_transceivers=replaced_t,
        replaced_modules=replaced_m,
        replaced_cables=replaced_c,
        cable_faces=cable_faces,
        t_apps={key: rev.spec.get("application") for key, rev in final_t.items() if rev},
        final={
            "rows": rows,
            "racks": set(racks),
            "devices": devices,
            "enclosures": enclosures,
            "transceivers": set(final_t),
            "modules": set(final_m),
            "cables": set(cable_faces),
        },
    )


def _default_app(key: PortKey, transceivers: dict[tuple[str, str], _Revision | None]) -> str | None:
    if key[0] or key[1] != "t":
        return None
    revision = transceivers.get((key[2], key[3]))
    return None if revision is None else revision.spec.get("application")


def _check_references(
    errors: _Errors, wanted: _Wanted, plan: _Plan, foreign: dict[PortKey, tuple[int, str]]
) -> None:
    def resolve(key: PortKey) -> tuple[str, str] | None:
        """(face, kind "t"/"m") of a final-state port, or None."""
        if key[0]:
            found = foreign.get(key)
            return None if found is None else (found[1], key[1])
        labels = plan.owner_ports.get((key[1], key[2], key[3]))
        if labels is None or key[4] not in labels:
            return None
        return labels[key[4]][0], key[1]

    def describe(key: PortKey) -> str:
        where = f" in hall {key[0]}" if key[0] else ""
        if key[1] == "t":
            return f"port {key[4]} of {key[2]} cage {key[3]}{where}"
        return f"port {key[4]} of {key[2]} slot {key[3]}{where}"

    sides: dict[tuple[PortKey, str], tuple[str, str]] = {}
    for leg, key in plan.final_matings.items():
        side = plan.final_sides[leg]
        path = wanted.matings[leg][2] if leg in wanted.matings else ""
        found = resolve(key)
        if found is None:
            errors.add(f"{path}/port", f"There is no {describe(key)}.", "does_not_exist")
            continue
        face = found[0]
        allowed = ("front", "rear") if face == Port.Face.BOTH else (face,)
        if side not in allowed:
            errors.add(
                f"{path}/side",
                f"This port is mated at its {' or '.join(allowed)} side.",
                "invalid_side",
            )
            continue
        other = sides.get((key, side))
        if other is not None:
            first = wanted.matings.get(other, (None, None, ""))[2]
            errors.add(
                f"{path or first}/port",
                f"{describe(key)} ({side}) is taken by {other[0]} {other[1]}.",
                "port_mated",
            )
        sides[(key, side)] = leg
    used: dict[PortKey, str] = {}
    for name, ends in plan.final_links.items():
        path = wanted.links[name][2] if name in wanted.links else ""
        for j, (_role, key, _lanes, _app) in enumerate(ends):
            found = resolve(key)
            if found is None:
                errors.add(
                    f"{path}/ends/{j}/port", f"There is no {describe(key)}.", "does_not_exist"
                )
                continue
            if found[1] != "t":
                errors.add(
                    f"{path}/ends/{j}/port",
                    "A link ends at a transceiver port.",
                    "not_a_transceiver",
                )
            if key in used:
                errors.add(
                    f"{path}/ends/{j}/port",
                    f"{describe(key)} is already an end of link {used[key]}.",
                    "port_linked",
                )
            used[key] = name


def _apply(
    plan: _Plan,
    wanted: _Wanted,
    stored: _Stored,
    hall: Hall,
    report: ImportReport,
    foreign: dict[PortKey, tuple[int, str]],
    applications: dict[str, int],
    by: User | None,
) -> None:
    project_id, hall_id = hall.project_id, hall.pk
    pruning = _pruning(plan, wanted, stored)
    # 1. links: deleted (pruned) or with changed ends (ends rewritten)
    stored_port_keys = {pk: key for key, (pk, _f) in stored.ports.items()} | stored.foreign
    replaced_owners = {("t", *k) for k in plan.replaced_transceivers} | {
        ("m", *k) for k in plan.replaced_modules
    }
    rewrite: list[str] = []
    for name, ends in plan.final_links.items():
        if name not in stored.links:
            continue
        old = tuple(
            (role, stored_port_keys.get(port_id), lanes, app)
            for role, port_id, lanes, app in stored.ends.get(name, ())
        )
        moved = any((key[1], key[2], key[3]) in replaced_owners for _r, key, _l, _a in ends if key)
        shape = wanted.links[name][0] if name in wanted.links else stored.links[name][1]
        if (
            sorted(old, key=repr) != sorted(ends, key=repr)
            or moved
            or shape != stored.links[name][1]
        ):
            rewrite.append(name)
    dropped_links = [stored.links[n][0] for n in stored.links if n not in plan.final_links]
    LinkEnd.objects.filter(
        link_id__in=[stored.links[n][0] for n in rewrite] + dropped_links
    ).delete()
    report.deleted["links"] += _delete(Link, dropped_links)
    report.updated["links"] += len(rewrite)
    # 2. matings that go or change
    drop_matings: list[int] = []
    new_matings: list[tuple[str, str]] = []
    for leg, (mating_id, port_id, side) in stored.matings.items():
        key = plan.final_matings.get(leg)
        owner_replaced = (
            key is not None and not key[0] and (key[1], key[2], key[3]) in replaced_owners
        )
        if (
            key is None
            or stored_port_keys.get(port_id) != key
            or plan.final_sides[leg] != side
            or owner_replaced
            or leg[0] in plan.replaced_cables
        ):
            drop_matings.append(mating_id)
            if key is None:
                report.deleted["matings"] += 1
            else:
                report.updated["matings"] += 1
                new_matings.append(leg)
    for leg in plan.final_matings:
        if leg not in stored.matings:
            new_matings.append(leg)
            report.created["matings"] += 1
    _delete(Mating, drop_matings)
    # 3. cables, transceivers, modules replaced or pruned (ports and legs go with them)
    cables_gone = [stored.cables[c][0] for c in pruning["cables"]]
    report.deleted["cables"] += len(cables_gone)
    cables_gone += [stored.cables[c][0] for c in plan.replaced_cables]
    Cable.objects.filter(pk__in=cables_gone).delete()
    gone_t = [stored.transceivers[k][0] for k in pruning["transceivers"]]
    report.deleted["transceivers"] += len(gone_t)
    gone_t += [stored.transceivers[k][0] for k in plan.replaced_transceivers]
    Transceiver.objects.filter(pk__in=gone_t).delete()
    gone_m = [stored.modules[k][0] for k in pruning["modules"]]
    report.deleted["modules"] += len(gone_m)
    gone_m += [stored.modules[k][0] for k in plan.replaced_modules]
    Module.objects.filter(pk__in=gone_m).delete()
    for kind, model, table in (
        ("devices", Device, stored.devices),
        ("enclosures", Enclosure, stored.enclosures),
        ("racks", Rack, stored.racks),
        ("rows", Row, stored.rows),
    ):
        ids = [table[name][0] for name in pruning[kind]]
        report.deleted[kind] += len(ids)
        model._default_manager.filter(pk__in=ids).delete()
    # 4. rows, racks, devices, enclosures: update in place, create the new ones
    row_ids = {name: pk for name, (pk, _i) in stored.rows.items()}
    changed_rows = [
        Row(pk=row_ids[name], index=index)
        for name, (index, _p) in wanted.rows.items()
        if name in stored.rows and stored.rows[name][1] != index
    ]
    Row.objects.bulk_update(changed_rows, ["index"])
    report.updated["rows"] += len(changed_rows)
    new = [name for name in wanted.rows if name not in stored.rows]
    for name, pk in zip(
        new,
        _insert(
            Row,
            ("hall_id", "project_id", "name", "index"),
            [(hall_id, project_id, name, wanted.rows[name][0]) for name in new],
        ),
        strict=True,
    ):
        row_ids[name] = pk
    report.created["rows"] += len(new)
    rack_ids = {name: value[0] for name, value in stored.racks.items()}
    changed = [
        Rack(pk=rack_ids[name], row_id=row_ids[row], position=position, height_u=height)
        for name, (row, position, height, _p) in wanted.racks.items()
        if name in stored.racks and stored.racks[name][1:] != (row_ids[row], position, height)
    ]
    Rack.objects.bulk_update(changed, ["row_id", "position", "height_u"])
    report.updated["racks"] += len(changed)
    new = [name for name in wanted.racks if name not in stored.racks]
    rows_of = wanted.racks
    for name, pk in zip(
        new,
        _insert(
            Rack,
            ("row_id", "hall_id", "project_id", "name", "position", "height_u"),
            [
                (row_ids[rows_of[n][0]], hall_id, project_id, n, rows_of[n][1], rows_of[n][2])
                for n in new
            ],
        ),
        strict=True,
    ):
        rack_ids[name] = pk
    report.created["racks"] += len(new)
    device_ids = {name: value[0] for name, value in stored.devices.items()}
    changed_devices = [
        Device(
            pk=device_ids[name], rack_id=rack_ids[rack], kind=kind, u_position=u, height_u=height
        )
        for name, (rack, kind, u, height, _p) in wanted.devices.items()
        if name in stored.devices and stored.devices[name][1:] != (rack_ids[rack], kind, u, height)
    ]
    Device.objects.bulk_update(changed_devices, ["rack_id", "kind", "u_position", "height_u"])
    report.updated["devices"] += len(changed_devices)
    new = [name for name in wanted.devices if name not in stored.devices]
    spec = wanted.devices
    for name, pk in zip(
        new,
        _insert(
            Device,
            ("rack_id", "hall_id", "project_id", "name", "kind", "u_position", "height_u"),
            [
                (rack_ids[spec[n][0]], hall_id, project_id, n, spec[n][1], spec[n][2], spec[n][3])
                for n in new
            ],
        ),
        strict=True,
    ):
        device_ids[name] = pk
    report.created["devices"] += len(new)
    enclosure_ids = {name: value[0] for name, value in stored.enclosures.items()}
    changed_enclosures = []
    for name, (rack, revision, u, _p) in wanted.enclosures.items():
        assert revision is not None
        height = int(revision.spec.get("rack_units") or 1)
        if name in stored.enclosures and stored.enclosures[name][1:] != (
            rack_ids[rack],
            revision.pk,
            u,
            height,
        ):
            changed_enclosures.append(
                Enclosure(
                    pk=enclosure_ids[name],
                    rack_id=rack_ids[rack],
                    product_revision_id=revision.pk,
                    u_position=u,
                    height_u=height,
                )
            )
    Enclosure.objects.bulk_update(
        changed_enclosures, ["rack_id", "product_revision_id", "u_position", "height_u"]
    )
    report.updated["enclosures"] += len(changed_enclosures)
    new = [name for name in wanted.enclosures if name not in stored.enclosures]
    espec = wanted.enclosures
    for name, pk in zip(
        new,
        _insert(
            Enclosure,
            (
                "rack_id",
                "hall_id",
                "project_id",
                "name",
                "product_revision_id",
                "u_position",
                "height_u",
            ),
            [
                (
                    rack_ids[espec[n][0]],
                    hall_id,
                    project_id,
                    n,
                    _r(espec[n][1]).pk,
                    espec[n][2],
                    int(_r(espec[n][1]).spec.get("rack_units") or 1),
                )
                for n in new
            ],
        ),
        strict=True,
    ):
        enclosure_ids[name] = pk
    report.created["enclosures"] += len(new)
    # 5. transceivers and modules: revision-only changes in place; new and replaced ones created
    port_ids: dict[PortKey, int] = {
        key: pk
        for key, (pk, _f) in stored.ports.items()
        if (key[1], key[2], key[3]) not in replaced_owners
    }
    port_ids.update({key: pk for key, (pk, _f) in foreign.items()})
    same = [
        Transceiver(pk=stored.transceivers[key][0], product_revision_id=revision.pk)
        for key, (revision, _p) in wanted.transceivers.items()
        if revision is not None
        and key in stored.transceivers
        and key not in plan.replaced_transceivers
        and stored.transceivers[key][2] != revision.pk
    ]
    Transceiver.objects.bulk_update(same, ["product_revision_id"])
    report.updated["transceivers"] += len(same) + len(plan.replaced_transceivers)
    new_t = [
        key
        for key in wanted.transceivers
        if key not in stored.transceivers or key in plan.replaced_transceivers
    ]
    report.created["transceivers"] += len(new_t) - len(plan.replaced_transceivers)
    t_ids = _insert(
        Transceiver,
        ("device_id", "hall_id", "project_id", "cage", "product_revision_id"),
        [
            (device_ids[k[0]], hall_id, project_id, k[1], _r(wanted.transceivers[k][0]).pk)
            for k in new_t
        ],
    )
    same_m = [
        Module(pk=stored.modules[key][0], product_revision_id=revision.pk, orientation=orient)
        for key, (revision, orient, _p) in wanted.modules.items()
        if revision is not None
        and key in stored.modules
        and key not in plan.replaced_modules
        and stored.modules[key][2:] != (revision.pk, orient)
    ]
    Module.objects.bulk_update(same_m, ["product_revision_id", "orientation"])
    report.updated["modules"] += len(same_m) + len(plan.replaced_modules)
    new_m = [
        key for key in wanted.modules if key not in stored.modules or key in plan.replaced_modules
    ]
    report.created["modules"] += len(new_m) - len(plan.replaced_modules)
    m_ids = _insert(
        Module,
        ("enclosure_id", "hall_id", "project_id", "slot", "product_revision_id", "orientation"),
        [
            (
                enclosure_ids[k[0]],
                hall_id,
                project_id,
                k[1],
                _r(wanted.modules[k][0]).pk,
                wanted.modules[k][1],
            )
            for k in new_m
        ],
    )
    port_rows: list[tuple[Any, ...]] = []
    port_keys: list[PortKey] = []
    owners: list[tuple[str, Sequence[tuple[str, Any]], list[int]]] = [
        ("t", new_t, t_ids),
        ("m", new_m, m_ids),
    ]
    for owner, keys, ids in owners:
        for okey, pk in zip(keys, ids, strict=True):
            for label, (face, family) in plan.owner_ports[(owner, *okey)].items():
                port_keys.append(("", owner, okey[0], okey[1], label))
                port_rows.append(
                    (
                        hall_id,
                        project_id,
                        pk if owner == "t" else None,
                        pk if owner == "m" else None,
                        label,
                        face,
                        family,
                    )
                )
    for key, pk in zip(
        port_keys,
        _insert(
            Port,
            ("hall_id", "project_id", "transceiver_id", "module_id", "label", "face", "family"),
            port_rows,
        ),
        strict=True,
    ):
        port_ids[key] = pk
    # 6. cables and their legs
    cable_ids = {label: value[0] for label, value in stored.cables.items()}
    changed_cables = []
    for label, (revision, length, status, _p) in wanted.cables.items():
        assert revision is not None
        if (
            label in stored.cables
            and label not in plan.replaced_cables
            and stored.cables[label][1:] != (revision.pk, length, status)
        ):
            changed_cables.append(
                Cable(
                    pk=cable_ids[label],
                    product_revision_id=revision.pk,
                    length_mm=length,
                    status=status,
                )
            )
    Cable.objects.bulk_update(changed_cables, ["product_revision_id", "length_mm", "status"])
    report.updated["cables"] += len(changed_cables) + len(plan.replaced_cables)
    new_c = [
        label
        for label in wanted.cables
        if label not in stored.cables or label in plan.replaced_cables
    ]
    report.created["cables"] += len(new_c) - len(plan.replaced_cables)
    for label, pk in zip(
        new_c,
        _insert(
            Cable,
            ("project_id", "hall_id", "product_revision_id", "label", "length_mm", "status"),
            [
                (
                    project_id,
                    hall_id,
                    _r(wanted.cables[c][0]).pk,
                    c,
                    wanted.cables[c][1],
                    wanted.cables[c][2],
                )
                for c in new_c
            ],
        ),
        strict=True,
    ):
        cable_ids[label] = pk
    leg_ids = {leg: pk for leg, pk in stored.legs.items() if leg[0] not in plan.replaced_cables}
    leg_keys: list[tuple[str, str]] = []
    leg_rows: list[tuple[Any, ...]] = []
    for label in new_c:
        for face, leg_label in plan.cable_faces[label].items():
            leg_keys.append((label, face))
            leg_rows.append(
                (cable_ids[label], hall_id, project_id, face[0], int(face[1:]), leg_label)
            )
    for leg, pk in zip(
        leg_keys,
        _insert(CableLeg, ("cable_id", "hall_id", "project_id", "end", "index", "label"), leg_rows),
        strict=True,
    ):
        leg_ids[leg] = pk
    # 7. matings
    hall_of_port: dict[int, int] = {}
    foreign_ids = [pk for pk, _f in foreign.values()]
    if foreign_ids:
        hall_of_port = dict(Port.objects.filter(pk__in=foreign_ids).values_list("id", "hall_id"))
    by_id = by.pk if by is not None else None
    _insert(
        Mating,
        ("project_id", "hall_id", "leg_id", "port_id", "side", "created_by_id"),
        [
            (
                project_id,
                hall_of_port.get(port_ids[plan.final_matings[leg]], hall_id),
                leg_ids[leg],
                port_ids[plan.final_matings[leg]],
                plan.final_sides[leg],
                by_id,
            )
            for leg in new_matings
        ],
    )
    # 8. links and their ends
    new_links = [name for name in wanted.links if name not in stored.links]
    report.created["links"] += len(new_links)
    Link.objects.bulk_update(
        [
            Link(pk=stored.links[name][0], shape=wanted.links[name][0], needs_revalidation=True)
            for name in rewrite
            if name in wanted.links
        ],
        ["shape", "needs_revalidation"],
    )
    link_ids = {name: value[0] for name, value in stored.links.items()}
    for name, pk in zip(
        new_links,
        _insert(
            Link,
            (
                "project_id",
                "hall_id",
                "name",
                "shape",
                "status",
                "status_revision",
                "needs_revalidation",
                "last_report",
                "touched_cable_ids",
                "touched_port_ids",
                "created_by_id",
            ),
            [
                (
                    project_id,
                    hall_id,
                    n,
                    wanted.links[n][0],
                    Link.Status.UNKNOWN,
                    None,
                    True,
                    None,
                    [],
                    [],
                    by_id,
                )
                for n in new_links
            ],
        ),
        strict=True,
    ):
        link_ids[name] = pk
    end_rows = []
    for name in [*rewrite, *new_links]:
        for role, key, lanes, application in plan.final_links[name]:
            port_id = port_ids[key]
            end_rows.append(
                (
                    link_ids[name],
                    project_id,
                    hall_of_port.get(port_id, hall_id),
                    role,
                    port_id,
                    list(lanes),
                    applications.get(
                        application
                        or (
                            plan.t_apps.get((key[2], key[3]))
                            if key[1] == "t" and not key[0]
                            else ""
                        )
                        or ""
                    ),
                )
            )
    _insert(
        LinkEnd,
        ("link_id", "project_id", "hall_id", "role", "port_id", "lanes", "application_id"),
        end_rows,
    )
    _default_applications(end_rows)
    # 9. what changed under the remaining links: re-validate them
    if report.changed:  # a bulk change: every link of the hall is re-validated
        Link.objects.filter(
            pk__in=Link.objects.filter(Q(hall_id=hall_id) | Q(ends__hall_id=hall_id)).values("pk")
        ).exclude(needs_revalidation=True).update(needs_revalidation=True)


def _taken_elsewhere(kind: str, project: Project, hall: Hall | None, names: list[str]) -> list[str]:
    """Cable labels or link names (unique in a project) already used outside this hall."""
    if not names:
        return []
    table, column = ("plant_cable", "label") if kind == "cable" else ("plant_link", "name")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE project_id = %s AND hall_id <> %s"  # noqa: S608
            f" AND {column} = ANY(%s)",
            [project.pk, hall.pk if hall is not None else 0, names],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _default_applications(end_rows: list[tuple[Any, ...]]) -> None:
    """Ends imported without an application take their transceiver's (as link_create does)."""
    missing = [row[4] for row in end_rows if row[6] is None]
    if not missing:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE plant_linkend AS e SET application_id = a.id
            FROM plant_port p
            JOIN plant_transceiver t ON t.id = p.transceiver_id
            JOIN catalog_productrevision r ON r.id = t.product_revision_id
            JOIN catalog_application a ON a.code = r.spec ->> 'application'
            WHERE e.port_id = p.id AND e.application_id IS NULL AND e.port_id = ANY(%s)
            """,
            [missing],
        )


def _pruning(plan: _Plan, wanted: _Wanted, stored: _Stored) -> dict[str, list[Any]]:
    """Stored objects absent from the final state (there are some only with prune)."""
    tables: dict[str, Any] = {
        "rows": stored.rows,
        "racks": stored.racks,
        "devices": stored.devices,
        "enclosures": stored.enclosures,
        "transceivers": stored.transceivers,
        "modules": stored.modules,
        "cables": stored.cables,
    }
    return {kind: [k for k in table if k not in plan.final[kind]] for kind, table in tables.items()}
