"""The immutable in-memory catalog the engine validates against.

Built by `Catalog.from_records()` from the normalised records of `apps.engine.seed` (the seed
files) or from the same shape built from database rows. Products are compiled once into faces and
integer maps, so tracing works on tuples and ints.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apps.engine import seed
from apps.engine.errors import ChannelError
from apps.engine.types import Record, SeedError, SeedRecords
from apps.engine.units import db_to_ndb, dbkm_to_mdbkm, m_to_mm

Endpoint = tuple[str, int]
_serial = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Connector:
    """A connector family's geometry and mating rules."""

    code: str
    rows: int
    columns: int
    lit: frozenset[int]
    gendered: bool
    intermates: frozenset[str]
    loss_class: str
    key: str

    @property
    def positions(self) -> int:
        """N: the ferrule's position count."""
        return self.rows * self.columns

    def mates_with(self, other: Connector) -> bool:
        """True if the two families share ferrule and key (the same, or listed as intermating)."""
        return (
            self.code == other.code
            or other.code in self.intermates
            or self.code in other.intermates
        )


@dataclass(frozen=True, slots=True)
class FiberType:
    """A fibre type and its attenuation per basis and band, in milli-dB/km (None: unknown)."""

    code: str
    mode: str
    core_um: str
    modal_bandwidth_mhz_km: int | None
    attenuation: Mapping[str, Mapping[int, int | None]]
    record: Record


@dataclass(frozen=True, slots=True)
class Grade:
    """A connector loss grade; `pairs` per loss class: (max, typical) nano-dB per mated pair."""

    code: str
    rank: int
    pairs: Mapping[str, tuple[int | None, int | None]]
    record: Record


@dataclass(frozen=True, slots=True)
class Limits:
    """An application's limits on one fibre type (None: the reference gives no value)."""

    reach_mm: int | None
    il_ndb: int | None


@dataclass(frozen=True, slots=True)
class Layout:
    """MDI lanes in port numbering: (position, lane, band_nm or None for the application's)."""

    name: str
    tx: tuple[tuple[int, int, int | None], ...]
    rx: tuple[tuple[int, int, int | None], ...]


@dataclass(frozen=True, slots=True)
class Application:
    """An application (PMD) compiled for the engine."""

    code: str
    lanes: int
    wavelength_nm: int
    mode: str
    core_um: str
    modulation: str
    reorders_lanes: bool
    wdm: bool
    min_length_mm: int | None
    attenuation_mdb_per_km: int | None
    mdi: tuple[tuple[str, str], ...]
    limits: Mapping[str, Limits]
    breakouts: tuple[tuple[frozenset[str], int, int], ...]
    interoperates: frozenset[str]
    record: Record


@dataclass(frozen=True, slots=True)
class Face:
    """One face of a product: a cable leg (plug), a port, or one side of a bare adapter/splice."""

    label: str
    role: str  # plug | port | adapter | splice
    connector: Connector | None
    gender: str | None
    endface: str | None
    grade: str | None
    adapter: str | None  # built-in (port) or bare adapter key geometry
    side: str  # A | B | rear | front | "" (adapters, splices, receptacles)
    layout: str | None = None


@dataclass(frozen=True, slots=True)
class Product:
    """A product compiled for tracing: faces in order and a symmetric map between them."""

    code: str
    kind: str
    revision: int
    name: str
    faces: Mapping[str, Face]
    map: Mapping[Endpoint, Endpoint]
    fiber_type: str | None
    grade: str | None
    attenuation_mdb_per_km: int | None
    vendor_loss: tuple[int | None, int | None] | None
    application: str | None
    overrides: Mapping[str, Limits]
    splice_loss: tuple[int | None, int | None] | None
    record: Record = field(repr=False)

    @property
    def verified(self) -> bool:
        """False if any of the record's source markers is unverified."""
        return bool(self.record.get("verified", True))


MEMO_LIMIT = 10_000


class VerdictMemo(OrderedDict[Any, Any]):
    """The catalog's verdict memo: least recently used first, at most `limit` verdicts.

    A verdict (graph, traces, findings, loss plans, its render cache) takes a few tens of kB:
    10,000 of them stay in the low hundreds of MB (docs/engine.md, "Memoisation").
    """

    def __init__(self, limit: int = MEMO_LIMIT) -> None:
        super().__init__()
        self.limit = limit


class Catalog:
    """Immutable catalog: connector families, fibre types, grades, applications and products."""

    def __init__(self, records: SeedRecords, *, verdicts: VerdictMemo | None = None) -> None:
        self.records = records
        self.serial = next(_serial)
        self.verdicts: VerdictMemo = VerdictMemo() if verdicts is None else verdicts
        self.connectors = {r["code"]: _connector(r) for r in records.connector_types}
        self.fiber_types = {r["code"]: _fiber_type(r) for r in records.fiber_types}
        self.grades = {r["code"]: _grade(r) for r in records.loss_grades}
        self.splices = {r["code"]: r for r in records.splices}
        self.layouts = {name: _layout(name, r) for name, r in records.layouts.items()}
        self.applications = {r["code"]: _application(r) for r in records.applications}
        self.products: dict[str, Product] = {}
        # adapters first: a panel is compiled from its adapter
        for record in sorted(records.products, key=lambda r: r["kind"] != "adapter"):
            self.products[record["code"]] = _product(record, self)
        self._siblings: dict[str, tuple[Product, ...]] = {}

    @classmethod
    def from_records(cls, records: SeedRecords | Mapping[str, Any]) -> Catalog:
        """Build the catalog from normalised records (a SeedRecords or its `as_dict()` shape)."""
        if isinstance(records, SeedRecords):
            records = records.as_dict()
        normalised = SeedRecords(
            fiber_types=[
                seed.normalise_fiber_type(r, "fiber_types") for r in records["fiber_types"]
            ],
            connector_types=[
                seed.normalise_connector(r, "connector_types") for r in records["connector_types"]
            ],
            loss_grades=[seed.normalise_grade(r, "loss_grades") for r in records["loss_grades"]],
            splices=[seed.normalise_splice(r, "splices") for r in records.get("splices") or []],
            layouts={
                str(k): seed.normalise_layout(v, "layouts", str(k))
                for k, v in (records.get("layouts") or {}).items()
            },
            applications=[
                seed.normalise_application(r, "applications") for r in records["applications"]
            ],
            products=[],
        )
        context = seed.SeedContext.of(normalised)
        context.check_cross_references()
        seen: set[str] = set()
        for raw in records.get("products") or []:
            product = seed.normalise_product(raw, "products", context)
            if product["code"] in seen:
                raise SeedError("products", product["code"], "duplicate product code")
            seen.add(product["code"])
            normalised.products.append(product)
        return cls(normalised)

    def product(self, code: str, pointer: str | None = None) -> Product:
        """The product `code` ("splice:<kind>" names a generic splice), or a ChannelError."""
        found = self.products.get(code)
        if found is not None:
            return found
        if code.startswith("splice:") and code[7:] in self.splices:
            record = {"code": code, "kind": "splice", "name": code, "splice": code[7:]}
            record = seed.normalise_product(record, "inline", self._context())
            product = _product(record, self)
            self.products[code] = product  # a pure function of the splice kind: safe to keep
            return product
        raise ChannelError("UNKNOWN_PRODUCT", f"no product {code!r} in the catalog", pointer)

    def application(self, code: str, pointer: str | None = None) -> Application:
        """The application `code`, or a ChannelError."""
        found = self.applications.get(code)
        if found is None:
            raise ChannelError("UNKNOWN_APPLICATION", f"no application {code!r}", pointer)
        return found

    def siblings(self, product_code: str) -> tuple[Product, ...]:
        """Products that could replace `product_code` in place: same kind, faces and fibre type.

        They differ in map, gender, end-face, grade or adapter key: the candidates for a fix.
        """
        cached = self._siblings.get(product_code)
        if cached is not None:
            return cached
        product = self.product(product_code)
        shape = _shape(product)
        found = tuple(
            other
            for code, other in sorted(self.products.items())
            if code != product_code and other.kind == product.kind and _shape(other) == shape
        )
        self._siblings[product_code] = found
        return found

    def with_inline(
        self, record: Mapping[str, Any], pointer: str | None = None
    ) -> tuple[Catalog, str]:
        """A catalog that also holds the inline product `record`, and the code it got."""
        body = {k: v for k, v in record.items() if k != "code"}
        digest = hashlib.sha1(
            json.dumps(body, sort_keys=True, default=str).encode(), usedforsecurity=False
        ).hexdigest()[:12]
        code = f"inline:{digest}"
        if code in self.products:
            return self, code
        raw = dict(record, code=code)
        raw.setdefault("name", record.get("code") or record.get("name") or code)
        try:
            normalised = seed.normalise_product(raw, "inline", self._context())
            product = _product(normalised, self)
        except SeedError as error:
            raise ChannelError("INVALID_PRODUCT", error.message, pointer) from error
        except (ValueError, KeyError, TypeError) as error:
            raise ChannelError("INVALID_PRODUCT", str(error), pointer) from error
        records = SeedRecords(
            fiber_types=self.records.fiber_types,
            connector_types=self.records.connector_types,
            loss_grades=self.records.loss_grades,
            splices=self.records.splices,
            layouts=self.records.layouts,
            applications=self.records.applications,
            products=[*self.records.products, normalised],
        )
        clone = Catalog.__new__(Catalog)
        clone.__dict__.update(self.__dict__)
        clone.records = records
        clone.serial = next(_serial)
        clone.products = dict(self.products)
        clone.products[code] = product
        clone._siblings = {}
        return clone, code

    def _context(self) -> seed.SeedContext:
        return seed.SeedContext.of(
            SeedRecords(
                fiber_types=self.records.fiber_types,
                connector_types=self.records.connector_types,
                loss_grades=self.records.loss_grades,
                splices=self.records.splices,
                layouts=self.records.layouts,
                applications=self.records.applications,
            )
        )


def _shape(product: Product) -> tuple[Any, ...]:
    faces = tuple(
        (label, face.role, face.side, face.connector.code if face.connector else None)
        for label, face in product.faces.items()
    )
    return (product.kind, product.fiber_type, faces)


# --- compilation ---------------------------------------------------------------------------------


def _connector(r: Record) -> Connector:
    n = r["rows"] * r["columns"]
    return Connector(
        code=r["code"],
        rows=r["rows"],
        columns=r["columns"],
        lit=frozenset(r["lit"] if r["lit"] is not None else range(1, n + 1)),
        gendered=r["gendered"],
        intermates=frozenset(r["intermates"]),
        loss_class=r["loss_class"],
        key=r["key"],
    )


def _mdbkm(value: str | None) -> int | None:
    return None if value is None else dbkm_to_mdbkm(value)


def _ndb(value: str | None) -> int | None:
    return None if value is None else db_to_ndb(value)


def _fiber_type(r: Record) -> FiberType:
    table = {
        basis: {int(band): _mdbkm(value) for band, value in bands.items()}
        for basis, bands in r["attenuation_db_per_km"].items()
    }
    return FiberType(
        code=r["code"],
        mode=r["mode"],
        core_um=r["core_um"],
        modal_bandwidth_mhz_km=r.get("modal_bandwidth_mhz_km"),
        attenuation=table,
        record=r,
    )


def _grade(r: Record) -> Grade:
    pairs = {k: (_ndb(v["max_db"]), _ndb(v["typ_db"])) for k, v in r["pairs"].items()}
    return Grade(code=r["code"], rank=r["rank"], pairs=pairs, record=r)


def _layout(name: str, r: Record) -> Layout:
    return Layout(
        name=name,
        tx=tuple((p, lane, band) for p, lane, band in r["tx"]),
        rx=tuple((p, lane, band) for p, lane, band in r["rx"]),
    )


def _limits(table: Mapping[str, Mapping[str, str | None]]) -> dict[str, Limits]:
    return {
        fiber: Limits(
            reach_mm=None if v.get("reach_m") is None else m_to_mm(str(v["reach_m"])),
            il_ndb=_ndb(v.get("il_db")),
        )
        for fiber, v in table.items()
    }


def _application(r: Record) -> Application:
    return Application(
        code=r["code"],
        lanes=r["lanes"],
        wavelength_nm=r["wavelength_nm"],
        mode=r["mode"],
        core_um=r["core_um"],
        modulation=r["modulation"],
        reorders_lanes=r["reorders_lanes"],
        wdm=r["wdm"],
        min_length_mm=None if r["min_length_m"] is None else m_to_mm(r["min_length_m"]),
        attenuation_mdb_per_km=_mdbkm(r["attenuation_db_per_km"]),
        mdi=tuple((m["family"], m["layout"]) for m in r["mdi"]),
        limits=_limits(r["limits"]),
        breakouts=tuple(
            (frozenset(b["children"]), b["legs"], b["lanes_per_leg"]) for b in r["breakouts"]
        ),
        interoperates=frozenset(r["interoperates"]),
        record=r,
    )


def _face(item: Record, catalog: Catalog, label: str, role: str, side: str) -> Face:
    return Face(
        label=label,
        role=role,
        connector=catalog.connectors[item["family"]],
        gender=item.get("gender"),
        endface=item.get("endface"),
        grade=item.get("grade"),
        adapter=item.get("adapter"),
        side=side,
        layout=item.get("layout"),
    )


def _endpoint(text: str) -> Endpoint:
    label, _, position = text.rpartition(":")
    return label, int(position)


def _adapter_map(connector: Connector, key: str) -> dict[Endpoint, Endpoint]:
    """A bare adapter between two plugs' numberings: type B and duplex mirror, type A flips rows."""
    out: dict[Endpoint, Endpoint] = {}
    rows, columns = connector.rows, connector.columns
    for p in range(1, connector.positions + 1):
        r, c = divmod(p - 1, columns)
        if key == "key-up-key-down":
            q = (rows - 1 - r) * columns + c + 1
        else:
            q = r * columns + (columns - c)
        out[("1", p)] = ("2", q)
        out[("2", q)] = ("1", p)
    return out


def _product(r: Record, catalog: Catalog) -> Product:
    kind = r["kind"]
    faces: dict[str, Face] = {}
    mapping: dict[Endpoint, Endpoint] = {}
    splice_loss = None
    if kind == "transceiver":
        for item in r["receptacles"]:
            faces[item["label"]] = _face(item, catalog, item["label"], "port", "")
    elif kind == "cable":
        for end in ("A", "B"):
            for index, item in enumerate(r["ends"][end], start=1):
                faces[f"{end}{index}"] = _face(item, catalog, f"{end}{index}", "plug", end)
    elif kind == "cassette":
        for item in r["ports"]:
            faces[item["label"]] = _face(item, catalog, item["label"], "port", item["face"])
    elif kind in ("adapter", "panel"):
        adapter = r
        if kind == "panel":
            inner = catalog.products.get(str(r.get("adapter")))
            if inner is None or inner.kind != "adapter":
                raise SeedError(
                    "products", r["code"], f"panel adapter {r.get('adapter')!r} unknown"
                )
            adapter = inner.record
        connector = catalog.connectors[adapter["family"]]
        for label in ("1", "2"):
            faces[label] = Face(
                label, "adapter", connector, None, None, None, adapter["adapter"], ""
            )
        mapping = _adapter_map(connector, adapter["adapter"])
    elif kind == "splice":
        for label in ("1", "2"):
            faces[label] = Face(label, "splice", None, None, None, None, None, "")
        kind_record = catalog.splices[r["splice"]] if r.get("splice") is not None else r
        splice_loss = (_ndb(kind_record.get("max_db")), _ndb(kind_record.get("typ_db")))
    for a, b in r.get("map") or []:
        left, right = _endpoint(a), _endpoint(b)
        mapping[left] = right
        mapping[right] = left
    vendor = r.get("vendor_loss")
    return Product(
        code=r["code"],
        kind=kind,
        revision=int(r.get("revision", 1)),
        name=str(r.get("name") or r["code"]),
        faces=faces,
        map=mapping,
        fiber_type=r.get("fiber_type"),
        grade=r.get("grade"),
        attenuation_mdb_per_km=_mdbkm(r.get("attenuation_db_per_km")),
        vendor_loss=None if vendor is None else (_ndb(vendor["max_db"]), _ndb(vendor["typ_db"])),
        application=r.get("application"),
        overrides=_limits(r.get("overrides") or {}),
        splice_loss=splice_loss,
        record=r,
    )
