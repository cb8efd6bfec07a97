"""Spreadsheet import and export of products of every kind (django-import-export): one row each.

Columns (CSV or XLSX, header row first; order does not matter, unknown columns are ignored):

    kind                                   cable (also when empty or missing: a cable-only sheet
                                           needs no kind column) | transceiver | cassette |
                                           adapter | panel | enclosure | splice

Cables are flat rows:

    code, name, vendor, description        the product (code is the key: a known code is updated)
    cable_type                             trunk | array_cord | patch_cord | harness | conversion
    polarity                               label (A, B, C, A-to-B, A-to-A: checked against the map)
    fiber_type, fiber_count, grade         OM4, 12, standard
    a_legs, a_family, a_gender, a_endface  end A: number of legs, each MPO-12 / female / PC
    b_legs, b_family, b_gender, b_endface  end B, likewise
    map_rule                               straight | reversed | pair-flip | duplex-ab | ... OR
    map                                    "A1:1=B1:12; A1:2=B1:11; ..." (plug numbering)
    lengths_m                              stocked lengths, "1; 3; 5.5" (metres)
    jacket_material, jacket_rating         LSZH, Cca-s1b,d1,a1
    attenuation_db_per_km                  datasheet figure, optional
    retired                                1 / 0 (empty: 0)

Every other kind has the common columns (code, name, vendor, description, retired), its simple
scalars in their own columns, and the rest of its record as a JSON object in `spec`:

    transceiver    application, form_factor       spec: receptacles, overrides, ...
    cassette       -                              spec: ports, map (or map_rule), polarity, ...
    adapter        family, adapter, apc_capable (1 / 0)
    panel          adapter (the adapter's code), ports (a count)
    enclosure      rack_units, slots, fiber_capacity
    splice         -                              spec: splice, ...

A column that is not its kind's is refused (rather than silently dropped); a cable's `spec` stays
empty. Export writes the same columns, so an exported file imports back unchanged.

A row becomes the record of docs/catalog-seed.md and goes through the same validation as the admin
form (the engine loader, then the fibre map checks). The whole file is one transaction: any wrong
row is reported with its line and nothing is written.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from import_export import fields, resources

from apps.catalog.models import Product
from apps.core.exceptions import ApplicationError

COLUMNS = (
    "code",
    "name",
    "vendor",
    "description",
    "cable_type",
    "polarity",
    "fiber_type",
    "fiber_count",
    "grade",
    "a_legs",
    "a_family",
    "a_gender",
    "a_endface",
    "b_legs",
    "b_family",
    "b_gender",
    "b_endface",
    "map_rule",
    "map",
    "lengths_m",
    "jacket_material",
    "jacket_rating",
    "attenuation_db_per_km",
    "retired",
)
REQUIRED = ("code", "cable_type", "fiber_type", "a_family", "b_family")

# Every kind's flat columns besides the cable's: the common ones, each kind's scalars, the rest.
COMMON = ("code", "kind", "name", "vendor", "description", "retired")
SCALARS: dict[str, tuple[str, ...]] = {
    "transceiver": ("application", "form_factor"),
    "cassette": (),
    "adapter": ("family", "adapter", "apc_capable"),
    "panel": ("adapter", "ports"),
    "enclosure": ("rack_units", "slots", "fiber_capacity"),
    "splice": (),
}
COUNTS = ("ports", "rack_units", "slots", "fiber_capacity")
PRODUCT_COLUMNS = (
    "code",
    "kind",
    *(name for name in COLUMNS if name not in ("code", "retired")),
    *dict.fromkeys(name for names in SCALARS.values() for name in names),
    "spec",
    "retired",
)
# Not written to `spec`: the columns, and what the loader derives or the revision history keeps.
DERIVED = ("revision", "verified", "unverified_fields")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets hand back 12.0 for 12
    return str(value).strip()


def _count(row: dict[str, Any], name: str, default: int | None = None) -> int | None:
    text = _text(row.get(name))
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValidationError({name: f"{name} must be a whole number of at least 1, not {text!r}"})
    return int(text)


def row_record(row: dict[str, Any]) -> dict[str, Any]:
    """The product record a spreadsheet row describes (shape only; the loader checks the rest)."""
    missing = [name for name in REQUIRED if not _text(row.get(name))]
    if missing:
        raise ValidationError({name: f"{name} is required" for name in missing})
    record: dict[str, Any] = {
        "code": _text(row.get("code")),
        "kind": "cable",
        "name": _text(row.get("name")) or _text(row.get("code")),
        "vendor": _text(row.get("vendor")),
        "description": _text(row.get("description")),
        "cable_type": _text(row.get("cable_type")),
        "fiber_type": _text(row.get("fiber_type")),
        "grade": _text(row.get("grade")) or None,
    }
    if _text(row.get("polarity")):
        record["polarity"] = _text(row.get("polarity"))
    count = _count(row, "fiber_count")
    if count is not None:
        record["fiber_count"] = count
    ends: dict[str, list[dict[str, Any]]] = {}
    for end in ("a", "b"):
        legs = _count(row, f"{end}_legs", default=1) or 1
        leg = {
            "family": _text(row.get(f"{end}_family")),
            "gender": _text(row.get(f"{end}_gender")) or None,
            "endface": _text(row.get(f"{end}_endface")) or None,
        }
        ends[end.upper()] = [dict(leg) for _ in range(legs)]
    record["ends"] = ends
    rule, explicit = _text(row.get("map_rule")), _text(row.get("map"))
    if rule:
        record["map_rule"] = rule
    if explicit:
        pairs = []
        for item in explicit.replace("\n", ";").split(";"):
            if not item.strip():
                continue
            parts = [part.strip() for part in item.split("=")]
            if len(parts) != 2 or not all(parts):
                raise ValidationError({"map": f"map entry {item.strip()!r} is not from=to"})
            pairs.append(parts)
        record["map"] = pairs
    lengths = []
    for item in _text(row.get("lengths_m")).split(";"):
        if not item.strip():
            continue
        try:
            length = Decimal(item.strip())
        except InvalidOperation:
            length = Decimal(-1)
        if not length.is_finite() or length <= 0:
            raise ValidationError({"lengths_m": f"length {item.strip()!r} is not metres > 0"})
        lengths.append(str(length))
    if lengths:
        record["lengths_m"] = lengths
    jacket = {
        key: _text(row.get(f"jacket_{key}"))
        for key in ("material", "rating")
        if _text(row.get(f"jacket_{key}"))
    }
    if jacket:
        record["jacket"] = jacket
    if _text(row.get("attenuation_db_per_km")):
        record["attenuation_db_per_km"] = _text(row.get("attenuation_db_per_km"))
    return record


def record_row(spec: dict[str, Any]) -> dict[str, Any]:
    """A cable's normalised record as a spreadsheet row (the explicit map, plug numbering)."""
    row: dict[str, Any] = {name: "" for name in COLUMNS}
    for name in ("code", "name", "vendor", "description", "cable_type", "polarity", "fiber_type"):
        row[name] = spec.get(name) or ""
    row["fiber_count"] = spec.get("fiber_count") or ""
    row["grade"] = spec.get("grade") or ""
    for end in ("A", "B"):
        legs = (spec.get("ends") or {}).get(end) or []
        if not legs:
            continue
        first = legs[0]
        prefix = end.lower()
        row[f"{prefix}_legs"] = len(legs)
        row[f"{prefix}_family"] = first.get("family") or ""
        row[f"{prefix}_gender"] = first.get("gender") or ""
        row[f"{prefix}_endface"] = first.get("endface") or ""
    row["map"] = "; ".join(f"{a}={b}" for a, b in spec.get("map") or [])
    row["lengths_m"] = "; ".join(spec.get("lengths_m") or [])
    jacket = spec.get("jacket") or {}
    row["jacket_material"] = jacket.get("material") or ""
    row["jacket_rating"] = jacket.get("rating") or ""
    row["attenuation_db_per_km"] = spec.get("attenuation_db_per_km") or ""
    return row


# What a row says; the rest of a known product's record (sources, leg labels, jacket colour...)
# is kept when the row updates it.
ROW_KEYS = {
    "code", "kind", "name", "vendor", "description", "cable_type", "polarity", "fiber_type",
    "fiber_count", "grade", "ends", "map", "map_rule", "lengths_m", "jacket",
    "attenuation_db_per_km",
}  # fmt: skip


def merged_record(current: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """`record` (from a row) over a known product's current record, keeping what rows lack."""
    merged = {k: v for k, v in current.items() if k not in ROW_KEYS and k != "map"}
    merged.update(record)
    if isinstance(current.get("jacket"), dict):
        merged["jacket"] = {**current["jacket"], **record.get("jacket", {})}
    for end, legs in record["ends"].items():
        old = (current.get("ends") or {}).get(end) or []
        if len(old) == len(legs):
            for leg, before in zip(legs, old, strict=True):
                leg.setdefault("label", before.get("label"))
                if before.get("grade") != current.get("grade"):
                    leg.setdefault("grade", before.get("grade"))
    return merged


def _flag(value: Any, name: str) -> bool:
    text = _text(value).lower()
    if text in ("1", "true", "yes", "y"):
        return True
    if text in ("0", "false", "no", "n"):
        return False
    raise ValidationError({name: f"{name} must be 1 or 0, not {_text(value)!r}"})


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _kind(row: dict[str, Any]) -> str:
    return _text(row.get("kind")).lower() or "cable"


def _refuse_strays(row: dict[str, Any], kind: str) -> None:
    """A filled column that is not `kind`'s would be dropped silently: refuse the row instead."""
    own = {"kind", *COLUMNS} if kind == "cable" else {*COMMON, *SCALARS[kind], "spec"}
    strays = [name for name in PRODUCT_COLUMNS if name not in own and _text(row.get(name))]
    if kind == "cable" and strays == ["spec"]:
        raise ValidationError({"spec": "a cable is described by its columns; leave spec empty"})
    if strays:
        raise ValidationError(
            {strays[0]: f"{', '.join(strays)}: not a column of a {kind} (put the rest in spec)"}
        )


def kind_row_record(row: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record a non-cable row describes: `spec`, then the columns over it (shape only)."""
    kind = _kind(row)
    if kind not in SCALARS:
        kinds = ", ".join(("cable", *SCALARS))
        raise ValidationError({"kind": f"unknown kind {kind!r} (one of {kinds})"})
    _refuse_strays(row, kind)
    if not _text(row.get("code")):
        raise ValidationError({"code": "code is required"})
    text = _text(row.get("spec"))
    try:
        spec = json.loads(text) if text else {}
    except ValueError as error:
        raise ValidationError({"spec": f"spec is not JSON: {error}"}) from error
    if not isinstance(spec, dict):
        raise ValidationError({"spec": "spec must be a JSON object {...}"})
    record = {k: v for k, v in spec.items() if k not in DERIVED}
    if current is not None:  # a known product keeps its source markers unless the row sets them
        for key in ("source", "sources"):
            if key not in record and key in current:
                record[key] = current[key]
    record.update(
        code=_text(row.get("code")),
        kind=kind,
        name=_text(row.get("name")) or _text(row.get("code")),
        vendor=_text(row.get("vendor")),
        description=_text(row.get("description")),
    )
    for name in SCALARS[kind]:
        if not _text(row.get(name)):
            continue  # the spec's value, if any (the loader says when one is missing)
        if name == "apc_capable":
            record[name] = _flag(row.get(name), name)
        elif name in COUNTS:
            record[name] = _count(row, name)
        else:
            record[name] = _text(row.get(name))
    return record


def kind_record_row(spec: dict[str, Any]) -> dict[str, Any]:
    """A normalised record of any kind as a spreadsheet row (cables: record_row's flat columns)."""
    row: dict[str, Any] = {name: "" for name in PRODUCT_COLUMNS}
    kind = spec.get("kind") or "cable"
    if kind == "cable":
        row.update(record_row(spec), kind="cable")
        return row
    rest = dict(spec)
    for name in ("code", "name", "vendor", "description"):
        row[name] = rest.pop(name, None) or ""
    row["kind"] = rest.pop("kind")
    for name in DERIVED:
        rest.pop(name, None)
    for name in SCALARS.get(kind, ()):
        if rest.get(name) is not None:  # a null stays in spec, so it comes back null
            value = rest.pop(name)
            row[name] = (1 if value else 0) if isinstance(value, bool) else value
    row["spec"] = json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else ""
    return row


class ProductResource(resources.ModelResource):
    """Products of every kind as spreadsheet rows, each saved through the catalog services."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self.user = kwargs.get("user")

    class Meta:
        model = Product
        import_id_fields = ("code",)
        fields = PRODUCT_COLUMNS
        use_transactions = True
        skip_unchanged = False
        clean_model_instances = False

    # Every column is declared: most are not Product columns but parts of the revision's spec,
    # so only `code` has an attribute; import_instance() reads the whole row.
    code = fields.Field(attribute="code", column_name="code")
    kind = fields.Field(attribute=None, column_name="kind")
    name = fields.Field(attribute=None, column_name="name")
    vendor = fields.Field(attribute=None, column_name="vendor")
    description = fields.Field(attribute=None, column_name="description")
    cable_type = fields.Field(attribute=None, column_name="cable_type")
    polarity = fields.Field(attribute=None, column_name="polarity")
    fiber_type = fields.Field(attribute=None, column_name="fiber_type")
    fiber_count = fields.Field(attribute=None, column_name="fiber_count")
    grade = fields.Field(attribute=None, column_name="grade")
    a_legs = fields.Field(attribute=None, column_name="a_legs")
    a_family = fields.Field(attribute=None, column_name="a_family")
    a_gender = fields.Field(attribute=None, column_name="a_gender")
    a_endface = fields.Field(attribute=None, column_name="a_endface")
    b_legs = fields.Field(attribute=None, column_name="b_legs")
    b_family = fields.Field(attribute=None, column_name="b_family")
    b_gender = fields.Field(attribute=None, column_name="b_gender")
    b_endface = fields.Field(attribute=None, column_name="b_endface")
    map_rule = fields.Field(attribute=None, column_name="map_rule")
    map = fields.Field(attribute=None, column_name="map")
    lengths_m = fields.Field(attribute=None, column_name="lengths_m")
    jacket_material = fields.Field(attribute=None, column_name="jacket_material")
    jacket_rating = fields.Field(attribute=None, column_name="jacket_rating")
    attenuation_db_per_km = fields.Field(attribute=None, column_name="attenuation_db_per_km")
    application = fields.Field(attribute=None, column_name="application")
    form_factor = fields.Field(attribute=None, column_name="form_factor")
    family = fields.Field(attribute=None, column_name="family")
    adapter = fields.Field(attribute=None, column_name="adapter")
    apc_capable = fields.Field(attribute=None, column_name="apc_capable")
    ports = fields.Field(attribute=None, column_name="ports")
    rack_units = fields.Field(attribute=None, column_name="rack_units")
    slots = fields.Field(attribute=None, column_name="slots")
    fiber_capacity = fields.Field(attribute=None, column_name="fiber_capacity")
    spec = fields.Field(attribute=None, column_name="spec")
    retired = fields.Field(attribute=None, column_name="retired")

    def export_field(self, field: fields.Field, instance: Product, **kwargs: Any) -> Any:
        return self._row(instance).get(field.column_name, "")

    def _row(self, product: Product) -> dict[str, Any]:
        cached = getattr(product, "_export_row", None)
        if cached is not None:
            return dict(cached)
        spec: dict[str, Any] | None = getattr(product, "_import_spec", None)
        if spec is None and product.pk:
            prefetched = getattr(product, "current_revisions", None)
            if prefetched is not None:
                spec = prefetched[0].spec if prefetched else None
            else:
                revision = product.revisions.filter(is_current=True).first()
                spec = revision.spec if revision else None
        row = kind_record_row({**(spec or {}), "code": product.code}) if spec else {}
        if spec:
            row.update(name=product.name, vendor=product.vendor, description=product.description)
            row["retired"] = 1 if product.retired else 0
        product._export_row = row  # type: ignore[attr-defined]
        return dict(row)

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.with_current_revision()

    def import_instance(self, instance: Product, row: dict[str, Any], **kwargs: Any) -> None:
        from apps.catalog.services import product_spec_validate

        row = dict(row)
        kind = _kind(row)
        if instance.pk and instance.kind != kind:
            message = f"{instance.code} is {_a(instance.kind)}, not {_a(kind)}: kinds never change"
            raise ValidationError({"kind": message})
        current = instance.revisions.filter(is_current=True).first() if instance.pk else None
        if kind == "cable":
            _refuse_strays(row, kind)
            record = row_record(row)
            if current is not None:
                record = merged_record(current.spec, record)
        else:
            record = kind_row_record(row, current.spec if current is not None else None)
        try:
            product_spec_validate(spec=record)
        except ApplicationError as error:
            raise ValidationError({error.attr or "code": error.detail}) from error
        instance.code = record["code"]
        instance.name, instance.vendor = record["name"], record["vendor"]
        instance.description = record["description"]
        instance.retired = _text(row.get("retired")).lower() in ("1", "true", "yes", "y")
        instance._import_spec = record  # type: ignore[attr-defined]
        instance._export_row = None  # type: ignore[attr-defined]

    def do_instance_save(self, instance: Product, is_create: bool) -> None:
        from apps.catalog.services import product_create, product_update

        record: dict[str, Any] = instance._import_spec  # type: ignore[attr-defined]
        if is_create:
            product = product_create(spec=record, by=self.user)
            if instance.retired:
                product_update(product=product, spec=record, retired=True, by=self.user)
            instance.pk = product.pk
        else:
            product_update(product=instance, spec=record, retired=instance.retired, by=self.user)
