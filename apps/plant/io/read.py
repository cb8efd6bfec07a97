"""Import, step 1: reading the document into keyed dicts, every shape error with its pointer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.catalog.models import ProductRevision
from apps.plant.io.schema import (
    _CABLE_STATUS,
    _DEVICE_KIND,
    _HALL_POLARITYMETHOD,
    _LINK_SHAPE,
    _MODULE_ORIENTATION,
    FORMAT,
    VERSION,
    PortKey,
    _Errors,
    _Revision,
)
from apps.plant.models import Link, Port


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
