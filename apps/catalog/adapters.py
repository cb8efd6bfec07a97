"""The only place that converts catalog rows <-> the engine's normalised records.

Rows keep a seed record's values in typed columns (Decimals, choices) plus an `attributes` JSON for
record keys without a column of their own. `record_fields()` turns a record into column values and
`row_record()` turns column values back into the record shape of docs/catalog-seed.md. Content
hashes are taken over the *column values*, so a seed record and the row it was loaded into hash
alike, and a row edited by hand (admin, shell) does not.

`engine_catalog()` builds the engine's `Catalog` from the database in a fixed number of queries
(values() only, no model instances) and keeps it per catalog version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from apps.catalog.models import (
    Application,
    ApplicationLimit,
    CatalogVersion,
    ConnectorType,
    FiberType,
    Layout,
    LossGrade,
    ProductRevision,
    SpliceType,
)
from apps.engine.catalog import Catalog
from apps.engine.seed import marker_verified
from apps.engine.types import Record, SeedError, SeedRecords

SOURCED_FIELDS = ("sources", "source", "verified", "unverified_fields", "attributes")
LIMIT_KEYS = ("reach_m", "il_db", "alloc_db")


@dataclass(frozen=True)
class Shape:
    """How one kind of seed record maps onto a model's columns."""

    name: str  # the SeedRecords attribute: fiber_types, connector_types, ...
    model: type[models.Model]
    key: str  # the natural key column: code, or name for layouts
    always: tuple[str, ...]  # record keys always written back, even when None
    optional: tuple[str, ...] = ()  # record keys written back only when set
    renamed: Mapping[str, str] = field(default_factory=dict)  # record key -> column
    decimals: frozenset[str] = frozenset()  # columns that are DecimalFields
    sourced: bool = True  # has sources / verified / attributes columns

    def column(self, key: str) -> str:
        return self.renamed.get(key, key)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column a record fills (the ones the content hash covers)."""
        own = tuple(self.column(k) for k in (*self.always, *self.optional))
        return own + (SOURCED_FIELDS if self.sourced else ())


FIBER_TYPES = Shape(
    "fiber_types",
    FiberType,
    "code",
    always=("code", "name", "mode", "core_um", "modal_bandwidth_mhz_km", "attenuation_db_per_km"),
    optional=("jacket_color",),
)
CONNECTOR_TYPES = Shape(
    "connector_types",
    ConnectorType,
    "code",
    always=(
        "code",
        "name",
        "rows",
        "columns",
        "lit",
        "key",
        "gendered",
        "intermates",
        "loss_class",
    ),
)
LOSS_GRADES = Shape("loss_grades", LossGrade, "code", always=("code", "name", "rank", "pairs"))
SPLICES = Shape(
    "splices",
    SpliceType,
    "code",
    always=("code", "name", "max_db", "typ_db"),
    decimals=frozenset({"max_db", "typ_db"}),
)
LAYOUTS = Shape("layouts", Layout, "name", always=("name", "tx", "rx"), sourced=False)
APPLICATIONS = Shape(
    "applications",
    Application,
    "code",
    always=(
        "code",
        "name",
        "lanes",
        "modulation",
        "wavelength_nm",
        "mode",
        "core_um",
        "mdi",
        "min_length_m",
        "reorders_lanes",
        "wdm",
        "bidirectional",
        "attenuation_db_per_km",
        "breakouts",
        "interoperates",
    ),
    optional=("standard", "origin", "signalling", "endface"),
    renamed={"origin": "standard_body"},
    decimals=frozenset({"min_length_m", "attenuation_db_per_km"}),
)
# In load order: later shapes refer to earlier ones (limits -> fibre types, products -> both).
VOCABULARY = (FIBER_TYPES, CONNECTOR_TYPES, LOSS_GRADES, SPLICES, LAYOUTS, APPLICATIONS)
# Record keys that are not data: the seed's `limits` live in ApplicationLimit rows.
_CHILD_KEYS = {"applications": ("limits",)}


# --- decimals and hashes -------------------------------------------------------------------------


def decimal_text(value: Decimal) -> str:
    """A Decimal as the shortest plain string: "1.900" -> "1.9", "70.000" -> "70"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def to_decimal(value: Any, *, places: int = 3, what: str = "value") -> Decimal | None:
    """A record's decimal string as the Decimal a column stores; raises if it would be rounded."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
        quantized = number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation as error:
        raise ValueError(f"{what} {value!r} is not a decimal") from error
    if quantized != number:
        raise ValueError(f"{what} {value!r} is finer than {places} decimal places")
    return quantized


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def content_hash(data: Any) -> str:
    """SHA-256 of `data` as canonical JSON (sorted keys, Decimals as plain strings)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=_json_default)
    return hashlib.sha256(text.encode()).hexdigest()


# --- vocabulary rows -----------------------------------------------------------------------------


def record_fields(
    shape: Shape, record: Mapping[str, Any], *, key: str | None = None
) -> dict[str, Any]:
    """The column values a seed record is stored as (not origin, seed_hash or timestamps)."""
    data = dict(record)
    if shape.key not in data and key is not None:
        data[shape.key] = key  # layouts are keyed by name outside the record
    for child in _CHILD_KEYS.get(shape.name, ()):
        data.pop(child, None)
    fields: dict[str, Any] = {}
    for name in (*shape.always, *shape.optional):
        column = shape.column(name)
        value = data.pop(name, None)
        if column in shape.decimals:
            value = to_decimal(value, what=f"{data.get('code', key)}.{name}")
        elif value is None and name in shape.optional:
            value = ""
        fields[column] = value
    if not fields.get("name"):
        fields["name"] = str(fields.get(shape.key) or "")
    if shape.sourced:
        fields["sources"] = dict(data.pop("sources", None) or {})
        fields["source"] = data.pop("source", None) or ""
        fields["verified"] = bool(data.pop("verified", True))
        fields["unverified_fields"] = list(data.pop("unverified_fields", None) or [])
        fields["attributes"] = data
    return fields


def row_record(shape: Shape, values: Mapping[str, Any]) -> Record:
    """A row's column values (from values()) as the normalised record."""
    record: Record = dict(values.get("attributes") or {}) if shape.sourced else {}
    for name in (*shape.always, *shape.optional):
        value = values[shape.column(name)]
        if isinstance(value, Decimal):
            value = decimal_text(value)
        if name in shape.optional and value in (None, ""):
            continue
        record[name] = value
    if shape.sourced:
        record["sources"] = dict(values["sources"] or {})
        record["source"] = values["source"] or None
        record["verified"] = values["verified"]
        record["unverified_fields"] = list(values["unverified_fields"] or [])
    return record


def row_hash(shape: Shape, values: Mapping[str, Any], *, limits: Any = None) -> str:
    """The content hash of a row's columns (and, for applications, its limits)."""
    data = {column: values[column] for column in shape.columns}
    if shape is APPLICATIONS:
        data["limits"] = limits or {}
    return content_hash(data)


# --- application limits --------------------------------------------------------------------------


def limit_fields(record: Mapping[str, Any]) -> dict[str, dict[str, Decimal | None]]:
    """An application record's limits as {fibre code: {reach_m, il_db, alloc_db}} Decimals."""
    code = record.get("code")
    return {
        str(fiber): {
            key: to_decimal(figures.get(key), what=f"{code}.limits.{fiber}.{key}")
            for key in LIMIT_KEYS
        }
        for fiber, figures in (record.get("limits") or {}).items()
    }


def limit_sources(record: Mapping[str, Any], fiber: str) -> tuple[dict[str, str], bool]:
    """The source markers behind one fibre type's limits, and whether all are verified."""
    prefix = f"limits.{fiber}"
    sources = record.get("sources") or {}
    own = {
        path: marker
        for path, marker in sources.items()
        if path in ("limits", prefix) or path.startswith(prefix + ".")
    }
    fallback = sources.get("*") or record.get("source")
    if fallback and not own:
        own["*"] = fallback
    return own, all(marker_verified(str(marker)) for marker in own.values())


def _text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def limits_record(limits: Mapping[str, Mapping[str, Decimal | None]]) -> Record:
    """Limits as the record shape: decimal strings; alloc_db left out when unknown."""
    out: Record = {}
    for fiber, figures in sorted(limits.items()):
        entry = {key: _text_or_none(figures[key]) for key in LIMIT_KEYS}
        if entry["alloc_db"] is None:
            del entry["alloc_db"]
        out[fiber] = entry
    return out


# --- products ------------------------------------------------------------------------------------


def product_labels(spec: Mapping[str, Any]) -> dict[str, str]:
    """The name, vendor and description columns a spec gives its product."""
    return {
        "name": str(spec.get("name") or spec["code"]),
        "vendor": str(spec.get("vendor") or ""),
        "description": str(spec.get("description") or ""),
    }


def product_record(labels: Mapping[str, Any], spec: Mapping[str, Any]) -> Record:
    """The engine record of a product: its current spec, with names edited on the row."""
    record = dict(spec)
    for key, value in product_labels(spec).items():
        if labels[key] != value:
            record[key] = labels[key]
    return record


def product_hash(labels: Mapping[str, Any], spec: Mapping[str, Any] | None) -> str:
    """The content hash of a product: its labels and its current spec."""
    return content_hash(
        {
            "name": labels["name"],
            "vendor": labels["vendor"],
            "description": labels["description"],
            "spec": spec,
        }
    )


def spec_hash(spec: Mapping[str, Any]) -> str:
    """The content hash of one revision's spec."""
    return content_hash(spec)


def product_families(spec: Mapping[str, Any], adapter_families: Mapping[str, str]) -> list[str]:
    """The connector families on a product's faces (a panel: its adapter's)."""
    families: set[str] = set()
    faces: list[Any] = []
    for name in ("receptacles", "ports"):  # a panel's `ports` is a count, not a list
        if isinstance(spec.get(name), list):
            faces.extend(spec[name])
    if isinstance(spec.get("ends"), Mapping):
        for legs in spec["ends"].values():
            faces.extend(legs)
    families.update(str(face["family"]) for face in faces if isinstance(face, Mapping))
    if spec.get("family"):
        families.add(str(spec["family"]))
    if spec.get("kind") == "panel" and spec.get("adapter") in adapter_families:
        families.add(adapter_families[spec["adapter"]])
    return sorted(families)


def product_columns(
    spec: Mapping[str, Any],
    *,
    fiber_type_ids: Mapping[str, int],
    application_ids: Mapping[str, int],
    adapter_families: Mapping[str, str],
) -> dict[str, Any]:
    """The Product columns a spec fills: labels for filtering, copied from the spec."""
    return {
        "code": spec["code"],
        "kind": spec["kind"],
        **product_labels(spec),
        "fiber_type_id": fiber_type_ids.get(spec.get("fiber_type") or ""),
        "application_id": application_ids.get(spec.get("application") or ""),
        "form_factor": str(spec.get("form_factor") or ""),
        "cable_type": str(spec.get("cable_type") or ""),
        "polarity": str(spec.get("polarity") or ""),
        "families": product_families(spec, adapter_families),
        "sources": dict(spec.get("sources") or {}),
        "verified": bool(spec.get("verified", True)),
    }


# --- the engine catalog --------------------------------------------------------------------------


def engine_records() -> SeedRecords:
    """Every catalog row as the engine's normalised records, in 8 queries whatever the size."""
    out: dict[str, Any] = {}
    for shape in VOCABULARY:
        rows = shape.model._default_manager.order_by(shape.key).values("pk", *shape.columns)
        out[shape.name] = [(row["pk"], row_record(shape, row)) for row in rows]
    limits: dict[int, dict[str, dict[str, Decimal | None]]] = {}
    for application_id, fiber, *figures in ApplicationLimit.objects.values_list(
        "application_id", "fiber_type__code", *LIMIT_KEYS
    ):
        limits.setdefault(application_id, {})[fiber] = dict(zip(LIMIT_KEYS, figures, strict=True))
    applications = []
    for pk, record in out["applications"]:
        record["limits"] = limits_record(limits.get(pk, {}))
        applications.append(record)
    products = [
        product_record({"name": name, "vendor": vendor, "description": description}, spec)
        for spec, name, vendor, description in ProductRevision.objects.filter(is_current=True)
        .order_by("product__code")
        .values_list("spec", "product__name", "product__vendor", "product__description")
    ]
    return SeedRecords(
        fiber_types=[r for _, r in out["fiber_types"]],
        connector_types=[r for _, r in out["connector_types"]],
        loss_grades=[r for _, r in out["loss_grades"]],
        splices=[r for _, r in out["splices"]],
        layouts={r.pop("name"): r for _, r in out["layouts"]},
        applications=applications,
        products=products,
    )


_cache: tuple[tuple[int, Any], Catalog] | None = None


def catalog_version_key() -> tuple[int, Any]:
    """(value, token) of the catalog version row; (0, None) before the first catalog write."""
    row = CatalogVersion.objects.filter(pk=1).values_list("value", "token").first()
    return (0, None) if row is None else (row[0], row[1])


def engine_catalog() -> Catalog:
    """The engine's catalog as the database holds it: one query while the version is unchanged.

    Rebuilt (9 queries) when any catalog write has bumped the catalog version since. A catalog the
    engine rejects raises SeedError naming the record: the database holds an invalid row.
    """
    global _cache
    key = catalog_version_key()
    cached = _cache
    if cached is not None and cached[0] == key:
        return cached[1]
    catalog = Catalog.from_records(engine_records())
    _cache = (key, catalog)
    return catalog


def engine_catalog_clear() -> None:
    """Forget the cached engine catalog (for tests; the version key usually suffices)."""
    global _cache
    _cache = None


def records_by_code(records: Iterable[Record], key: str = "code") -> dict[str, Record]:
    """Index records by their natural key, raising on duplicates."""
    out: dict[str, Record] = {}
    for record in records:
        if record[key] in out:
            raise SeedError("records", str(record[key]), "duplicate code")
        out[record[key]] = record
    return out
