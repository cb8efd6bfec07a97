"""Read the catalog seed files (docs/catalog-seed.md) into normalised plain records.

One loader for the database and the tests: `manage.py load_catalog` and `tests/engine` both call
`load_records()`, so they can never disagree about a map. Everything returned is JSON-friendly:
Decimals as strings, map rules expanded into explicit, sorted maps, every record with `verified`
and `unverified_fields` worked out from its source markers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from apps.engine.types import Record, SeedError, SeedRecords

MODES = ("multimode", "singlemode")
CORES = ("50", "62.5", "9")
BASES = ("ieee", "tia", "iso")
KEYS = ("standard", "offset", "duplex")
LOSS_CLASSES = ("mpo", "duplex")
GENDERS = ("male", "female")
ENDFACES = ("PC", "UPC", "APC")
ADAPTERS = ("key-up-key-down", "key-up-key-up", "duplex")
KINDS = ("transceiver", "cable", "cassette", "adapter", "panel", "enclosure", "splice")
PRODUCT_DECIMALS = ("attenuation_db_per_km",)
CABLE_RULES = ("straight", "reversed", "pair-flip", "duplex-ab", "duplex-aa")
HARNESS_RULES = ("harness-base8", "harness-base12")
MODULE_RULES = ("module-a", "module-b", "module-u1", "module-u2")
_CABLE_END = re.compile(r"^([AB])(\d+):(\d+)$")


def load_records(seed_dir: Path) -> SeedRecords:
    """Read every seed file under `seed_dir` and return the validated, normalised records."""
    fiber_types = [
        normalise_fiber_type(r, "fiber_types.yaml")
        for r in _list(_read(seed_dir / "fiber_types.yaml"), "fiber_types.yaml")
    ]
    connectors = [
        normalise_connector(r, "connector_types.yaml")
        for r in _list(_read(seed_dir / "connector_types.yaml"), "connector_types.yaml")
    ]
    grades_doc = _read(seed_dir / "loss_grades.yaml")
    if not isinstance(grades_doc, Mapping):
        raise SeedError("loss_grades.yaml", None, "expected a mapping with grades and splices")
    grades = [
        normalise_grade(r, "loss_grades.yaml")
        for r in _list(grades_doc.get("grades"), "loss_grades.yaml")
    ]
    splices = [
        normalise_splice(r, "loss_grades.yaml")
        for r in _list(grades_doc.get("splices") or [], "loss_grades.yaml")
    ]
    apps_doc = _read(seed_dir / "applications.yaml")
    if not isinstance(apps_doc, Mapping):
        raise SeedError("applications.yaml", None, "expected a mapping with layouts, applications")
    layouts = {
        str(name): normalise_layout(layout, "applications.yaml", str(name))
        for name, layout in (apps_doc.get("layouts") or {}).items()
    }
    applications = [
        normalise_application(r, "applications.yaml")
        for r in _list(apps_doc.get("applications"), "applications.yaml")
    ]
    products: list[tuple[str, Any]] = []
    for path in sorted((seed_dir / "products").glob("*.yaml")):
        name = f"products/{path.name}"
        products.extend((name, raw) for raw in _list(_read(path), name, allow_empty=True))
    records = SeedRecords(
        fiber_types=fiber_types,
        connector_types=connectors,
        loss_grades=grades,
        splices=splices,
        layouts=layouts,
        applications=applications,
        products=[],
    )
    context = SeedContext.of(records)
    context.check_cross_references()
    normalised: list[Record] = []
    seen: set[str] = set()
    for file, raw in products:
        product = normalise_product(raw, file, context)
        if product["code"] in seen:
            raise SeedError(file, product["code"], "duplicate product code")
        seen.add(product["code"])
        normalised.append(product)
    records.products.extend(normalised)
    return records


class SeedContext:
    """What a product record may refer to: connector families, fibre types, grades, layouts."""

    def __init__(
        self,
        connectors: Mapping[str, Record],
        fiber_types: Mapping[str, Record],
        grades: Mapping[str, Record],
        splices: Mapping[str, Record],
        layouts: Mapping[str, Record],
        applications: Mapping[str, Record],
    ) -> None:
        self.connectors = connectors
        self.fiber_types = fiber_types
        self.grades = grades
        self.splices = splices
        self.layouts = layouts
        self.applications = applications

    @classmethod
    def of(cls, records: SeedRecords) -> SeedContext:
        """Index the records by code, raising on duplicate codes."""
        return cls(
            connectors=_index(records.connector_types, "connector_types.yaml"),
            fiber_types=_index(records.fiber_types, "fiber_types.yaml"),
            grades=_index(records.loss_grades, "loss_grades.yaml"),
            splices=_index(records.splices, "loss_grades.yaml"),
            layouts=records.layouts,
            applications=_index(records.applications, "applications.yaml"),
        )

    def check_cross_references(self) -> None:
        """Raise on a connector, application or layout naming something that does not exist."""
        for code, connector in self.connectors.items():
            for other in connector["intermates"]:
                if other not in self.connectors:
                    raise SeedError("connector_types.yaml", code, f"intermates unknown {other!r}")
        for code, app in self.applications.items():
            file = "applications.yaml"
            for mdi in app["mdi"]:
                self.family(mdi["family"], file, code)
                if mdi["layout"] not in self.layouts:
                    raise SeedError(file, code, f"unknown layout {mdi['layout']!r}")
            for fiber in app["limits"]:
                self.fiber(fiber, file, code)
            for breakout in app["breakouts"]:
                for child in breakout["children"]:
                    if child not in self.applications:
                        raise SeedError(file, code, f"breakout child {child!r} is unknown")
            for other in app["interoperates"]:
                if other not in self.applications:
                    raise SeedError(file, code, f"interoperates with unknown {other!r}")

    def family(self, code: Any, file: str, record: str | None) -> Record:
        """The connector type `code`, or a SeedError."""
        if code not in self.connectors:
            raise SeedError(file, record, f"unknown connector family {code!r}")
        return dict(self.connectors[code])

    def fiber(self, code: Any, file: str, record: str | None) -> Record:
        """The fibre type `code`, or a SeedError."""
        if code not in self.fiber_types:
            raise SeedError(file, record, f"unknown fiber type {code!r}")
        return dict(self.fiber_types[code])

    def grade(self, code: Any, file: str, record: str | None) -> str | None:
        """`code` if it names a loss grade (None passes), or a SeedError."""
        if code is None:
            return None
        if code not in self.grades:
            raise SeedError(file, record, f"unknown loss grade {code!r}")
        return str(code)


# --- records -------------------------------------------------------------------------------------


def normalise_fiber_type(raw: Any, file: str) -> Record:
    """A fibre type with its attenuation table as {basis: {band: "dB/km" | None}}."""
    record, code = _start(raw, file)
    _choice(record, "mode", MODES, file, code)
    record["core_um"] = _core(record.get("core_um"), file, code)
    record["modal_bandwidth_mhz_km"] = _int_or_none(
        record.get("modal_bandwidth_mhz_km"), file, code
    )
    table = record.get("attenuation_db_per_km") or {}
    if not isinstance(table, Mapping):
        raise SeedError(file, code, "attenuation_db_per_km must map basis -> band -> dB/km")
    out: dict[str, dict[str, str | None]] = {}
    for basis, bands in table.items():
        if basis not in BASES:
            raise SeedError(file, code, f"unknown attenuation basis {basis!r}")
        if not isinstance(bands, Mapping):
            raise SeedError(file, code, f"attenuation_db_per_km.{basis} must map band -> dB/km")
        out[str(basis)] = {
            str(_int(band, file, code, "band")): _dec(value, file, code, f"{basis}.{band}")
            for band, value in bands.items()
        }
    record["attenuation_db_per_km"] = out
    return _finish(record)


def normalise_connector(raw: Any, file: str) -> Record:
    """A connector family: geometry (rows x columns, lit positions), key, gender, loss class."""
    record, code = _start(raw, file)
    rows = _int(record.get("rows"), file, code, "rows")
    columns = _int(record.get("columns"), file, code, "columns")
    if rows < 1 or columns < 1:
        raise SeedError(file, code, "rows and columns must be positive")
    lit = record.get("lit")
    if lit is not None:
        lit = sorted({_int(p, file, code, "lit") for p in _list(lit, file)})
        if any(p < 1 or p > rows * columns for p in lit):
            raise SeedError(file, code, f"lit positions outside 1..{rows * columns}")
    record.update(rows=rows, columns=columns, lit=lit)
    _choice(record, "key", KEYS, file, code)
    record["gendered"] = bool(record.get("gendered"))
    record["intermates"] = sorted(str(x) for x in record.get("intermates") or [])
    _choice(record, "loss_class", LOSS_CLASSES, file, code)
    return _finish(record)


def normalise_grade(raw: Any, file: str) -> Record:
    """A connector loss grade: rank and, per loss class, max/typical dB per mated pair."""
    record, code = _start(raw, file)
    record["rank"] = _int(record.get("rank"), file, code, "rank")
    pairs = record.get("pairs") or {}
    if not isinstance(pairs, Mapping):
        raise SeedError(file, code, "pairs must map loss class -> {max_db, typ_db}")
    out: dict[str, dict[str, str | None]] = {}
    for loss_class, figures in pairs.items():
        if loss_class not in LOSS_CLASSES:
            raise SeedError(file, code, f"unknown loss class {loss_class!r}")
        out[str(loss_class)] = _max_typ(figures, file, code, f"pairs.{loss_class}")
    record["pairs"] = out
    return _finish(record)


def normalise_splice(raw: Any, file: str) -> Record:
    """A splice kind (fusion, mechanical) with max/typical dB."""
    record, code = _start(raw, file)
    record.update(_max_typ(record, file, code, "splice"))
    return _finish(record)


def normalise_layout(raw: Any, file: str, name: str) -> Record:
    """An MDI layout: tx/rx as [position, lane, band_nm | None] in port numbering."""
    if not isinstance(raw, Mapping):
        raise SeedError(file, name, "a layout is a mapping with tx and rx")
    out: Record = {}
    for side in ("tx", "rx"):
        entries = []
        for item in _list(raw.get(side) or [], file, allow_empty=True):
            if not isinstance(item, list | tuple) or len(item) not in (2, 3):
                raise SeedError(file, name, f"{side} entries are [position, lane(, band_nm)]")
            raw_band = item[2] if len(item) == 3 else None
            band = None if raw_band is None else _int(raw_band, file, name, "band")
            position = _int(item[0], file, name, "position")
            if position < 1:
                raise SeedError(file, name, f"position {position} out of range")
            entries.append([position, _int(item[1], file, name, "lane"), band])
        out[side] = entries
    return out


def normalise_application(raw: Any, file: str) -> Record:
    """An application (PMD): MDI options, limits per fibre type, breakouts, interoperation."""
    record, code = _start(raw, file)
    _choice(record, "mode", MODES, file, code)
    record["core_um"] = _core(record.get("core_um"), file, code)
    record["lanes"] = _int(record.get("lanes"), file, code, "lanes")
    record["wavelength_nm"] = _int(record.get("wavelength_nm"), file, code, "wavelength_nm")
    record["modulation"] = str(record.get("modulation") or "nrz")
    for flag in ("reorders_lanes", "wdm", "bidirectional"):
        record[flag] = bool(record.get(flag))
    record["min_length_m"] = _dec(record.get("min_length_m"), file, code, "min_length_m")
    record["attenuation_db_per_km"] = _dec(
        record.get("attenuation_db_per_km"), file, code, "attenuation_db_per_km"
    )
    mdi = []
    for option in _list(record.get("mdi") or [], file, allow_empty=True):
        if not isinstance(option, Mapping) or "family" not in option or "layout" not in option:
            raise SeedError(file, code, "mdi options are {family, layout}")
        mdi.append({"family": str(option["family"]), "layout": str(option["layout"])})
    record["mdi"] = mdi
    _choice(record, "endface", ENDFACES, file, code, optional=True)
    record["limits"] = _limits(record.get("limits") or {}, file, code, "limits")
    breakouts = []
    for item in _list(record.get("breakouts") or [], file, allow_empty=True):
        if not isinstance(item, Mapping):
            raise SeedError(file, code, "breakouts are {children, legs, lanes_per_leg}")
        breakouts.append(
            {
                "children": [str(c) for c in _list(item.get("children"), file)],
                "legs": _int(item.get("legs"), file, code, "legs"),
                "lanes_per_leg": _int(item.get("lanes_per_leg"), file, code, "lanes_per_leg"),
            }
        )
    record["breakouts"] = breakouts
    record["interoperates"] = [str(x) for x in record.get("interoperates") or []]
    return _finish(record)


# --- products ------------------------------------------------------------------------------------


def normalise_product(raw: Any, file: str, context: SeedContext) -> Record:
    """One product record of any kind, validated against `context`, its map rule expanded."""
    record, code = _start(raw, file)
    kind = record.get("kind")
    if kind not in KINDS:
        raise SeedError(file, code, f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    record["revision"] = _int(record.get("revision", 1), file, code, "revision")
    for name in PRODUCT_DECIMALS:
        if name in record:
            record[name] = _dec(record[name], file, code, name)
    shape: Callable[[Record, str, str, SeedContext], None] = _SHAPES.get(str(kind), _no_shape)
    shape(record, file, code, context)
    return _finish(record)


def _no_shape(record: Record, file: str, code: str, context: SeedContext) -> None:
    return None


def _transceiver(record: Record, file: str, code: str, context: SeedContext) -> None:
    app = record.get("application")
    if app not in context.applications:
        raise SeedError(file, code, f"unknown application {app!r}")
    receptacles = []
    for item in _list(record.get("receptacles"), file):
        face = _face(item, file, code, context, role="receptacle")
        layout = item.get("layout")
        if layout is not None and layout not in context.layouts:
            raise SeedError(file, code, f"unknown layout {layout!r}")
        if layout is not None:
            n = face["rows"] * face["columns"]
            for side in ("tx", "rx"):
                for position, _lane, _band in context.layouts[layout][side]:
                    if position > n:
                        raise SeedError(file, code, f"layout {layout} outside the {face['family']}")
        face["layout"] = layout
        receptacles.append(_strip_geometry(face))
    _unique([r["label"] for r in receptacles], file, code, "receptacle label")
    record["receptacles"] = receptacles
    record["overrides"] = _limits(record.get("overrides") or {}, file, code, "overrides")
    for fiber in record["overrides"]:
        context.fiber(fiber, file, code)


def _cable(record: Record, file: str, code: str, context: SeedContext) -> None:
    context.fiber(record.get("fiber_type"), file, code)
    record["grade"] = context.grade(record.get("grade"), file, code)
    ends = record.get("ends")
    if not isinstance(ends, Mapping) or set(ends) != {"A", "B"}:
        raise SeedError(file, code, "a cable has ends A and B, each a list of legs")
    faces: dict[str, Record] = {}
    out: dict[str, list[Record]] = {}
    for end in ("A", "B"):
        legs = []
        for index, item in enumerate(_list(ends[end], file), start=1):
            face = _face(item, file, code, context, role="plug")
            face["grade"] = face["grade"] or record["grade"]
            faces[f"{end}{index}"] = face
            legs.append(_strip_geometry(dict(face)))
        out[end] = legs
    record["ends"] = out
    if "fiber_count" in record and record["fiber_count"] is not None:
        record["fiber_count"] = _int(record["fiber_count"], file, code, "fiber_count")
    record["map"] = _map(record, faces, file, code, _cable_endpoint)
    record.pop("map_rule", None)


def _cassette(record: Record, file: str, code: str, context: SeedContext) -> None:
    context.fiber(record.get("fiber_type"), file, code)
    record["grade"] = context.grade(record.get("grade"), file, code)
    faces: dict[str, Record] = {}
    ports = []
    for item in _list(record.get("ports"), file):
        face = _face(item, file, code, context, role="port")
        if face["label"] in faces:
            raise SeedError(file, code, f"duplicate port label {face['label']!r}")
        face["grade"] = face["grade"] or record["grade"]
        faces[face["label"]] = face
        ports.append(_strip_geometry(dict(face)))
    record["ports"] = ports
    if record.get("vendor_loss") is not None:
        record["vendor_loss"] = _max_typ(record["vendor_loss"], file, code, "vendor_loss")
    record["map"] = _map(record, faces, file, code, _port_endpoint)
    record.pop("map_rule", None)


def _adapter(record: Record, file: str, code: str, context: SeedContext) -> None:
    context.family(record.get("family"), file, code)
    _choice(record, "adapter", ADAPTERS, file, code)
    record["apc_capable"] = bool(record.get("apc_capable", record["adapter"] != "key-up-key-up"))


def _splice(record: Record, file: str, code: str, context: SeedContext) -> None:
    splice = record.get("splice")
    if splice is not None and splice not in context.splices:
        raise SeedError(file, code, f"unknown splice kind {splice!r}")
    if splice is None:
        record.update(_max_typ(record, file, code, "splice"))


_SHAPES: dict[str, Callable[[Record, str, str, SeedContext], None]] = {
    "transceiver": _transceiver,
    "cable": _cable,
    "cassette": _cassette,
    "adapter": _adapter,
    "splice": _splice,
}


def _face(item: Any, file: str, code: str, context: SeedContext, *, role: str) -> Record:
    if not isinstance(item, Mapping):
        raise SeedError(file, code, f"a {role} is a mapping with family, gender, endface")
    family = context.family(item.get("family"), file, code)
    face: Record = {k: _plain(v) for k, v in item.items()}
    face["family"] = family["code"]
    face["rows"], face["columns"], face["lit"] = family["rows"], family["columns"], family["lit"]
    face["label"] = None if item.get("label") is None else str(item["label"])
    if role in ("port", "receptacle") and face["label"] is None:
        raise SeedError(file, code, f"every {role} needs a label")
    gender = item.get("gender")
    if gender is not None and gender not in GENDERS:
        raise SeedError(file, code, f"gender {gender!r} is not male, female or null")
    if family["gendered"] and gender is None and role != "port":
        raise SeedError(file, code, f"a {family['code']} {role} needs a gender")
    face["gender"] = gender if family["gendered"] else None
    endface = item.get("endface")
    if endface is not None and endface not in ENDFACES:
        raise SeedError(file, code, f"end-face {endface!r} is not PC, UPC, APC or null")
    face["endface"] = endface
    face["grade"] = context.grade(item.get("grade"), file, code)
    if role == "port":
        if item.get("face") not in ("rear", "front"):
            raise SeedError(file, code, f"port {face['label']} needs face: rear | front")
        adapter = item.get("adapter")
        if adapter is not None and adapter not in ADAPTERS:
            raise SeedError(file, code, f"unknown adapter key {adapter!r}")
    return face


def _strip_geometry(face: Record) -> Record:
    for name in ("rows", "columns", "lit"):
        face.pop(name, None)
    return face


# --- maps ----------------------------------------------------------------------------------------

Endpoint = tuple[str, int]
EndpointParser = Callable[[str, Mapping[str, Record], str, str], Endpoint]


def _cable_endpoint(text: str, faces: Mapping[str, Record], file: str, code: str) -> Endpoint:
    match = _CABLE_END.match(text)
    if not match:
        raise SeedError(file, code, f"map endpoint {text!r} is not <end><leg>:<position>")
    return f"{match[1]}{int(match[2])}", int(match[3])


def _port_endpoint(text: str, faces: Mapping[str, Record], file: str, code: str) -> Endpoint:
    label, sep, position = text.rpartition(":")
    if not sep or not position.isdigit():
        raise SeedError(file, code, f"map endpoint {text!r} is not <port>:<position>")
    return label, int(position)


def _map(
    record: Record, faces: Mapping[str, Record], file: str, code: str, parse: EndpointParser
) -> list[list[str]]:
    rule, explicit = record.get("map_rule"), record.get("map")
    if (rule is None) == (explicit is None):
        raise SeedError(file, code, "give exactly one of map_rule and map")
    if rule is not None:
        pairs = _expand_rule(str(rule), faces, file, code)
    else:
        pairs = []
        for item in _list(explicit, file):
            if not isinstance(item, list | tuple) or len(item) != 2:
                raise SeedError(file, code, "map entries are [from, to]")
            pairs.append(
                (parse(str(item[0]), faces, file, code), parse(str(item[1]), faces, file, code))
            )
    order = {label: index for index, label in enumerate(faces)}
    used: set[Endpoint] = set()
    out = []
    for pair in pairs:
        for label, position in pair:
            face = faces.get(label)
            if face is None:
                raise SeedError(file, code, f"map names {label!r}, which is not a leg or port")
            n = face["rows"] * face["columns"]
            if not 1 <= position <= n:
                raise SeedError(
                    file, code, f"position {label}:{position} is outside the {face['family']}"
                )
            if face["lit"] is not None and position not in face["lit"]:
                raise SeedError(file, code, f"position {label}:{position} is a dark position")
            if (label, position) in used:
                raise SeedError(
                    file, code, f"{label}:{position} is mapped twice: not a partial permutation"
                )
            used.add((label, position))
        first, second = sorted(pair, key=lambda e: (order[e[0]], e[1]))
        out.append((first, second))
    out.sort(key=lambda p: (order[p[0][0]], p[0][1]))
    return [[f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}"] for a, b in out]


def _expand_rule(
    rule: str, faces: Mapping[str, Record], file: str, code: str
) -> list[tuple[Endpoint, Endpoint]]:
    if rule in CABLE_RULES:
        a = [label for label in faces if label.startswith("A")]
        b = [label for label in faces if label.startswith("B")]
        if len(a) != len(b) or not a:
            raise SeedError(file, code, f"map rule {rule} needs as many legs at A as at B")
        pairs: list[tuple[Endpoint, Endpoint]] = []
        for left, right in zip(a, b, strict=True):
            geometry = _geometry(faces[left])
            if geometry != _geometry(faces[right]):
                raise SeedError(file, code, f"map rule {rule} joins legs of different geometry")
            pairs.extend(
                ((left, p), (right, q)) for p, q in _leg_rule(rule, faces[left], file, code)
            )
        return pairs
    if rule in HARNESS_RULES:
        return _harness(rule, faces, file, code)
    if rule in MODULE_RULES:
        return _module(rule, faces, file, code)
    raise SeedError(file, code, f"unknown map rule {rule!r}")


def _geometry(face: Record) -> tuple[int, int]:
    return face["rows"], face["columns"]


def _lit(face: Record) -> list[int]:
    n = face["rows"] * face["columns"]
    return list(face["lit"]) if face["lit"] is not None else list(range(1, n + 1))


def _leg_rule(rule: str, face: Record, file: str, code: str) -> Iterable[tuple[int, int]]:
    columns = face["columns"]
    lit = _lit(face)
    if rule in ("duplex-ab", "duplex-aa") and len(lit) != 2:
        raise SeedError(file, code, f"map rule {rule} is for duplex legs")
    for p in lit:
        row, column = divmod(p - 1, columns)
        if rule in ("straight", "duplex-aa"):
            q = p
        elif rule in ("reversed", "duplex-ab"):
            q = row * columns + (columns - column)
        else:  # pair-flip: 1<->2, 3<->4, ...
            q = p + 1 if p % 2 else p - 1
        if q not in lit:
            raise SeedError(file, code, f"map rule {rule} sends {p} to dark {q}")
        yield p, q


def _harness(
    rule: str, faces: Mapping[str, Record], file: str, code: str
) -> list[tuple[Endpoint, Endpoint]]:
    a = [label for label in faces if label.startswith("A")]
    b = [label for label in faces if label.startswith("B")]
    if len(a) != 1:
        raise SeedError(file, code, f"map rule {rule} needs one MPO leg at end A")
    trunk = faces[a[0]]
    n = trunk["rows"] * trunk["columns"]
    pairs: list[tuple[Endpoint, Endpoint]] = []
    for k, leg in enumerate(b, start=1):
        if rule == "harness-base8":
            fibres = ((n + 1 - k, 1), (k, 2))
        else:
            fibres = ((2 * k - 1, 1), (2 * k, 2))
        pairs.extend(((a[0], f), (leg, position)) for f, position in fibres)
    return pairs


def _module(
    rule: str, faces: Mapping[str, Record], file: str, code: str
) -> list[tuple[Endpoint, Endpoint]]:
    rear = [label for label, face in faces.items() if face.get("face") == "rear"]
    front = [label for label, face in faces.items() if face.get("face") == "front"]
    if len(rear) != 1 or not front:
        raise SeedError(file, code, f"map rule {rule} needs one rear port and front ports")
    r = faces[rear[0]]
    n = r["rows"] * r["columns"]
    lit = set(_lit(r))
    pairs: list[tuple[Endpoint, Endpoint]] = []
    if rule in ("module-a", "module-b"):
        for f in sorted(lit):
            fibre = n + 1 - f if rule == "module-a" else f
            port = (fibre + 1) // 2
            if port <= len(front):
                pairs.append(((rear[0], f), (front[port - 1], 1 if fibre % 2 else 2)))
        return pairs
    for k, label in enumerate(front, start=1):
        low, high = (n + 1 - k, k) if rule == "module-u1" else (k, n + 1 - k)
        if high in lit and low in lit and k <= n // 2:
            pairs.append(((rear[0], low), (label, 1)))
            pairs.append(((rear[0], high), (label, 2)))
    return pairs


# --- small helpers -------------------------------------------------------------------------------


def _read(path: Path) -> Any:
    if not path.exists():
        raise SeedError(str(path.name), None, "file is missing")
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        raise SeedError(path.name, None, f"not valid YAML: {error}") from error


def _list(value: Any, file: str, allow_empty: bool = False) -> list[Any]:
    if value is None and allow_empty:
        return []
    if not isinstance(value, list):
        raise SeedError(file, None, f"expected a list, got {type(value).__name__}")
    return list(value)


def _index(records: list[Record], file: str) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for record in records:
        if record["code"] in out:
            raise SeedError(file, record["code"], "duplicate code")
        out[record["code"]] = record
    return out


def _start(raw: Any, file: str) -> tuple[Record, str]:
    if not isinstance(raw, Mapping):
        raise SeedError(file, None, "every record is a mapping")
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        raise SeedError(file, None, f"record without a code: {dict(raw)!r:.80}")
    record = {str(k): _plain(v) for k, v in raw.items()}
    return record, code


def _finish(record: Record) -> Record:
    """Add sources, verified and unverified_fields from the record's source markers."""
    sources = record.get("sources") or {}
    if isinstance(sources, str):
        sources = {"*": sources}
    if not isinstance(sources, Mapping):
        raise SeedError("?", record.get("code"), "sources must map field path -> marker")
    sources = {str(k): str(v) for k, v in sources.items()}
    source = record.get("source")
    record["sources"] = sources
    record["source"] = None if source is None else str(source)
    unverified = sorted(path for path, marker in sources.items() if not marker_verified(marker))
    if source is not None and not marker_verified(str(source)):
        unverified.append("*")
    record["unverified_fields"] = unverified
    record["verified"] = not unverified
    return record


def marker_verified(marker: str) -> bool:
    """A source marker is verified unless it contains OK, ⚠ or WARN (docs/catalog-seed.md)."""
    return not ("OK" in marker or "⚠" in marker or "WARN" in marker)


def _plain(value: Any) -> Any:
    """Floats become decimal strings, mapping keys strings: the records stay JSON-friendly."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float | Decimal):
        return str(Decimal(str(value)))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def _dec(value: Any, file: str, code: str | None, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise SeedError(file, code, f"{name} must be a decimal, not a boolean")
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise SeedError(file, code, f"{name} {value!r} is not a decimal") from error
    if not number.is_finite() or number < 0:
        raise SeedError(file, code, f"{name} {value!r} must be a finite, non-negative decimal")
    return str(number)


def _int(value: Any, file: str, code: str | None, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise SeedError(file, code, f"{name} must be an integer, got {value!r}")
    try:
        return int(value)
    except ValueError as error:
        raise SeedError(file, code, f"{name} must be an integer, got {value!r}") from error


def _int_or_none(value: Any, file: str, code: str | None) -> int | None:
    return None if value is None else _int(value, file, code, "value")


def _core(value: Any, file: str, code: str) -> str:
    text = str(Decimal(str(value))) if value is not None else ""
    if text not in CORES:
        raise SeedError(file, code, f"core_um {value!r} is not one of {', '.join(CORES)}")
    return text


def _choice(
    record: Record,
    name: str,
    allowed: tuple[str, ...],
    file: str,
    code: str,
    optional: bool = False,
) -> None:
    value = record.get(name)
    if value is None and optional:
        return
    if value not in allowed:
        raise SeedError(file, code, f"{name} {value!r} is not one of {', '.join(allowed)}")


def _max_typ(figures: Any, file: str, code: str, name: str) -> dict[str, str | None]:
    if not isinstance(figures, Mapping):
        raise SeedError(file, code, f"{name} needs max_db and typ_db")
    return {
        "max_db": _dec(figures.get("max_db"), file, code, f"{name}.max_db"),
        "typ_db": _dec(figures.get("typ_db"), file, code, f"{name}.typ_db"),
    }


def _limits(table: Any, file: str, code: str, name: str) -> dict[str, dict[str, str | None]]:
    if not isinstance(table, Mapping):
        raise SeedError(file, code, f"{name} must map fibre type -> figures")
    out = {}
    for fiber, figures in table.items():
        if not isinstance(figures, Mapping):
            raise SeedError(file, code, f"{name}.{fiber} must be a mapping")
        out[str(fiber)] = {
            key: _dec(figures.get(key), file, code, f"{name}.{fiber}.{key}")
            for key in ("reach_m", "il_db", "alloc_db")
            if key in figures or key != "alloc_db"
        }
    return out


def _unique(values: list[Any], file: str, code: str, what: str) -> None:
    if len(set(values)) != len(values):
        raise SeedError(file, code, f"duplicate {what}")
