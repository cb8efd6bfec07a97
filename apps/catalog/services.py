"""Catalog writes: loading the seed records, revising and retiring products, the version counter.

Every write that changes what the engine sees bumps `CatalogVersion`, which audits record and the
engine catalog cache keys on.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from apps.catalog import adapters
from apps.catalog.adapters import APPLICATIONS, LIMIT_KEYS, VOCABULARY, Shape
from apps.catalog.models import (
    Application,
    ApplicationLimit,
    CatalogRow,
    CatalogVersion,
    FiberType,
    Product,
    ProductRevision,
)
from apps.core.exceptions import ApplicationError
from apps.engine import seed
from apps.engine.types import SeedError, SeedRecords

SEED = CatalogRow.Origin.SEED


class DriftReason:
    """Why a seed record was not applied to its row."""

    EDITED = "EDITED"  # the row was edited since it was loaded; the seed record is unchanged
    EDITED_SEED_CHANGED = "EDITED_SEED_CHANGED"  # edited, and the seed changed too: not applied
    LOCAL_ROW = "LOCAL_ROW"  # a local row already holds this code


@dataclass(frozen=True)
class Drift:
    """A row that differs from its seed record and was left alone."""

    code: str
    reason: str


@dataclass
class SectionReport:
    """What loading did to one kind of catalog row (codes, sorted)."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # seed rows no longer in the seed: kept
    new_revisions: list[str] = field(default_factory=list)  # products only


@dataclass
class LoadReport:
    """The outcome of one `catalog_load`."""

    sections: dict[str, SectionReport]
    version: int
    dry_run: bool = False

    @property
    def inserted(self) -> int:
        return sum(len(s.inserted) for s in self.sections.values())

    @property
    def updated(self) -> int:
        return sum(len(s.updated) for s in self.sections.values())

    @property
    def unchanged(self) -> int:
        return sum(len(s.unchanged) for s in self.sections.values())

    @property
    def drift(self) -> list[tuple[str, Drift]]:
        return [(name, d) for name, s in self.sections.items() for d in s.drift]

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)

    def lines(self) -> list[str]:
        """The report as text lines for `manage.py load_catalog`."""
        head = "Catalog load (dry run: nothing was saved)" if self.dry_run else "Catalog load"
        out = [head]
        for name, s in self.sections.items():
            extra = f", {len(s.new_revisions)} new revisions" if name == "products" else ""
            out.append(
                f"  {name:<16} {len(s.inserted):>4} inserted, {len(s.updated):>4} updated, "
                f"{len(s.unchanged):>4} unchanged, {len(s.drift):>3} drift{extra}"
            )
        for name, d in self.drift:
            out.append(f"  DRIFT {d.reason} {name} {d.code}")
        for name, s in self.sections.items():
            out.extend(f"  MISSING_FROM_SEED {name} {code} (kept)" for code in s.missing)
        out.append(
            f"Total: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.drift)} drift; catalog version {self.version}"
        )
        return out


# --- the catalog version -------------------------------------------------------------------------


def catalog_version_bump() -> int:
    """Add one to the catalog version (creating the row if a flush removed it); return it."""
    table = CatalogVersion._meta.db_table
    with connection.cursor() as cursor:
        # One statement: concurrent writers serialise on the row, none can lose an increment.
        cursor.execute(
            f"INSERT INTO {table} (id, value, token, updated) VALUES (1, 1, %s, %s) "  # noqa: S608
            f"ON CONFLICT (id) DO UPDATE SET value = {table}.value + 1, "
            "token = EXCLUDED.token, updated = EXCLUDED.updated RETURNING value",
            [uuid.uuid4(), timezone.now()],
        )
        return int(cursor.fetchone()[0])


# --- loading the seed ----------------------------------------------------------------------------


@transaction.atomic
def catalog_load(*, records: SeedRecords, dry_run: bool = False) -> LoadReport:
    """Insert missing seed rows and update the seed rows nobody edited; report the rest as drift.

    A product whose seed spec changed gets a new current revision (a revision's spec is never
    changed). Idempotent: a second load of the same records changes nothing and leaves the catalog
    version alone. Bulk queries only: the number of queries does not grow with the catalog.
    """
    sections: dict[str, SectionReport] = {}
    for shape in VOCABULARY:
        items: list[tuple[str, Mapping[str, Any]]] = (
            list(records.layouts.items())
            if shape.key == "name"
            else [(r["code"], r) for r in getattr(records, shape.name)]
        )
        sections[shape.name] = _load_shape(shape, items)
    sections["products"] = _load_products(records.products)
    report = LoadReport(sections=sections, version=0, dry_run=dry_run)
    if report.changed or any(s.new_revisions for s in sections.values()):
        report.version = catalog_version_bump()
    else:
        report.version = adapters.catalog_version_key()[0]
    if dry_run:
        transaction.set_rollback(True)
    return report


def _load_shape(shape: Shape, items: list[tuple[str, Mapping[str, Any]]]) -> SectionReport:
    section = SectionReport()
    model: Any = shape.model  # one of the vocabulary models; each has `objects`
    existing = {
        row[shape.key]: row
        for row in model.objects.values("pk", "origin", "seed_hash", *shape.columns)
    }
    db_limits = _db_limits() if shape is APPLICATIONS else {}
    creates: list[tuple[dict[str, Any], Any, str]] = []
    updates: list[tuple[int, dict[str, Any], Any, str]] = []
    resyncs: list[tuple[int, str]] = []
    for key, record in items:
        try:
            fields = adapters.record_fields(shape, record, key=key)
            limits = adapters.limit_fields(record) if shape is APPLICATIONS else None
        except ValueError as error:
            raise SeedError(shape.name, key, str(error)) from error
        new_hash = adapters.row_hash(shape, fields, limits=limits)
        row = existing.get(key)
        if row is None:
            creates.append((fields, limits, new_hash))
            section.inserted.append(key)
            continue
        current = adapters.row_hash(shape, row, limits=db_limits.get(row["pk"]))
        outcome = _outcome(row, current, new_hash)
        if outcome == "unchanged":
            section.unchanged.append(key)
            if row["origin"] == SEED and row["seed_hash"] != new_hash:
                resyncs.append((row["pk"], new_hash))  # the seed caught up with an edit
        elif outcome == "update":
            updates.append((row["pk"], fields, limits, new_hash))
            section.updated.append(key)
        else:
            section.drift.append(Drift(key, outcome))
    seen = {key for key, _ in items}
    section.missing = sorted(
        k for k, r in existing.items() if r["origin"] == SEED and k not in seen
    )
    now = timezone.now()
    created = model.objects.bulk_create(
        [model(**fields, origin=SEED, seed_hash=h) for fields, _, h in creates]
    )
    if updates:
        model.objects.bulk_update(
            [model(pk=pk, **fields, seed_hash=h, updated=now) for pk, fields, _, h in updates],
            [*shape.columns, "seed_hash", "updated"],
        )
    if resyncs:
        model.objects.bulk_update([model(pk=pk, seed_hash=h) for pk, h in resyncs], ["seed_hash"])
    if shape is APPLICATIONS:
        pairs = [(obj.pk, limits) for obj, (_, limits, _) in zip(created, creates, strict=True)]
        pairs += [(pk, limits) for pk, _, limits, _ in updates]
        _replace_limits(pairs, {key: record for key, record in items})
    for name in ("inserted", "updated", "unchanged", "missing"):
        getattr(section, name).sort()
    return section


def _outcome(row: Mapping[str, Any], current: str, new_hash: str) -> str:
    """unchanged | update | a DriftReason, for one existing row and its seed record."""
    if current == new_hash:
        return "unchanged"
    if row["origin"] != SEED:
        return DriftReason.LOCAL_ROW
    if current != row["seed_hash"]:
        return (
            DriftReason.EDITED if new_hash == row["seed_hash"] else DriftReason.EDITED_SEED_CHANGED
        )
    return "update"


def _db_limits() -> dict[int, dict[str, dict[str, Decimal | None]]]:
    out: dict[int, dict[str, dict[str, Decimal | None]]] = {}
    for application_id, fiber, *figures in ApplicationLimit.objects.values_list(
        "application_id", "fiber_type__code", *LIMIT_KEYS
    ):
        out.setdefault(application_id, {})[fiber] = dict(zip(LIMIT_KEYS, figures, strict=True))
    return out


def _replace_limits(
    pairs: list[tuple[int, dict[str, dict[str, Decimal | None]]]],
    records: Mapping[str, Mapping[str, Any]],
) -> None:
    if not pairs:
        return
    codes = dict(
        Application.objects.filter(pk__in=[pk for pk, _ in pairs]).values_list("pk", "code")
    )
    fiber_ids = dict(FiberType.objects.values_list("code", "pk"))
    ApplicationLimit.objects.filter(application_id__in=[pk for pk, _ in pairs]).delete()
    rows = []
    for pk, limits in pairs:
        record = records[codes[pk]]
        for fiber, figures in limits.items():
            if fiber not in fiber_ids:
                raise SeedError("applications", codes[pk], f"limits name unknown fiber {fiber!r}")
            sources, verified = adapters.limit_sources(record, fiber)
            rows.append(
                ApplicationLimit(
                    application_id=pk,
                    fiber_type_id=fiber_ids[fiber],
                    sources=sources,
                    verified=verified,
                    **figures,
                )
            )
    ApplicationLimit.objects.bulk_create(rows)


def _load_products(specs: list[dict[str, Any]]) -> SectionReport:
    section = SectionReport()
    existing = {
        row["code"]: row
        for row in Product.objects.values(
            "pk", "code", "origin", "seed_hash", "name", "vendor", "description"
        )
    }
    current = {
        row["product_id"]: row
        for row in ProductRevision.objects.filter(is_current=True).values(
            "product_id", "spec", "content_hash"
        )
    }
    highest = dict(
        ProductRevision.objects.values("product_id")
        .annotate(top=Max("number"))
        .values_list("product_id", "top")
    )
    ids = {
        "fiber_type_ids": dict(FiberType.objects.values_list("code", "pk")),
        "application_ids": dict(Application.objects.values_list("code", "pk")),
        "adapter_families": {
            s["code"]: s["family"] for s in specs if s["kind"] == "adapter" and s.get("family")
        },
    }
    creates: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    updates: list[tuple[int, dict[str, Any], dict[str, Any], str, bool]] = []
    resyncs: list[tuple[int, str]] = []
    for spec in specs:
        code = spec["code"]
        labels = adapters.product_labels(spec)
        new_hash = adapters.product_hash(labels, spec)
        columns = adapters.product_columns(spec, **ids)
        row = existing.get(code)
        if row is None:
            creates.append((columns, spec, new_hash))
            section.inserted.append(code)
            continue
        revision = current.get(row["pk"])
        current_hash = adapters.product_hash(row, revision["spec"] if revision else None)
        outcome = _outcome(row, current_hash, new_hash)
        if outcome == "unchanged":
            section.unchanged.append(code)
            if row["origin"] == SEED and row["seed_hash"] != new_hash:
                resyncs.append((row["pk"], new_hash))
        elif outcome == "update":
            spec_changed = revision is None or revision["content_hash"] != adapters.spec_hash(spec)
            updates.append((row["pk"], columns, spec, new_hash, spec_changed))
            section.updated.append(code)
            if spec_changed:
                section.new_revisions.append(code)
        else:
            section.drift.append(Drift(code, outcome))
    seen = {spec["code"] for spec in specs}
    section.missing = sorted(
        c for c, r in existing.items() if r["origin"] == SEED and c not in seen
    )
    now = timezone.now()
    created = Product.objects.bulk_create(
        [Product(**columns, origin=SEED, seed_hash=h) for columns, _, h in creates]
    )
    revisions = [
        _revision(product.pk, 1, spec)
        for product, (_, spec, _) in zip(created, creates, strict=True)
    ]
    if updates:
        Product.objects.bulk_update(
            [
                Product(pk=pk, **columns, seed_hash=h, updated=now)
                for pk, columns, _, h, _ in updates
            ],
            [*(name.removesuffix("_id") for name in _PRODUCT_COLUMNS), "seed_hash", "updated"],
        )
        revised = [pk for pk, _, _, _, changed in updates if changed]
        # Demote first: at most one current revision per product (a partial unique index).
        ProductRevision.objects.filter(product_id__in=revised, is_current=True).update(
            is_current=False
        )
        revisions += [
            _revision(pk, highest.get(pk, 0) + 1, spec)
            for pk, _, spec, _, changed in updates
            if changed
        ]
    ProductRevision.objects.bulk_create(revisions)
    if resyncs:
        Product.objects.bulk_update(
            [Product(pk=pk, seed_hash=h) for pk, h in resyncs], ["seed_hash"]
        )
    for name in ("inserted", "updated", "unchanged", "missing", "new_revisions"):
        getattr(section, name).sort()
    return section


_PRODUCT_COLUMNS = (
    "kind",
    "name",
    "vendor",
    "description",
    "fiber_type_id",
    "application_id",
    "form_factor",
    "cable_type",
    "polarity",
    "families",
    "sources",
    "verified",
)


def _revision(product_id: int, number: int, spec: dict[str, Any]) -> ProductRevision:
    digest = adapters.spec_hash(spec)
    return ProductRevision(
        product_id=product_id,
        number=number,
        spec=spec,
        content_hash=digest,
        is_current=True,
        origin=SEED,
        seed_hash=digest,
    )


# --- catalog management --------------------------------------------------------------------------


@transaction.atomic
def product_revise(*, product: Product, spec: Mapping[str, Any], by: Any = None) -> ProductRevision:
    """Give `product` a new current revision holding `spec` (validated like a seed record).

    `by` (a user) is recorded in the revision's change history.
    """
    records = adapters.engine_records()
    context = seed.SeedContext.of(records)
    try:
        normalised = seed.normalise_product(dict(spec, code=product.code), "product", context)
    except SeedError as error:
        raise ApplicationError(error.message, code="invalid_spec", attr="spec") from error
    if normalised["kind"] != product.kind:
        raise ApplicationError(
            "A revision cannot change the kind.", code="invalid_spec", attr="kind"
        )
    top = product.revisions.aggregate(top=Max("number"))["top"] or 0
    product.revisions.filter(is_current=True).update(is_current=False)
    revision = ProductRevision(
        product=product,
        number=top + 1,
        spec=normalised,
        content_hash=adapters.spec_hash(normalised),
        is_current=True,
        origin=CatalogRow.Origin.LOCAL,
    )
    revision._history_user = by  # type: ignore[attr-defined]  # django-simple-history
    revision.full_clean()
    revision.save()
    catalog_version_bump()
    return revision


@transaction.atomic
def product_retire(*, product: Product, retired: bool = True) -> Product:
    """Mark `product` as no longer sold (or sold again); the plant keeps pointing at it."""
    product.retired = retired
    product.save(update_fields=["retired", "updated"])
    catalog_version_bump()
    return product


# --- the admin: products edited by catalog managers ----------------------------------------------

LOCAL = CatalogRow.Origin.LOCAL
# Keys of a spec that live on the Product row (or count revisions): not part of a spec change.
_LABEL_KEYS = ("name", "vendor", "description", "revision")


def product_spec_validate(*, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The normalised record of `spec`: the engine loader's checks, then the fibre map's.

    Raises ApplicationError naming the field (and, for maps, the first wrong position).
    """
    from apps.catalog.fibermap import SpecError, spec_validate

    context = seed.SeedContext.of(adapters.engine_records())
    try:
        return spec_validate(spec, context=context)
    except SpecError as error:
        raise ApplicationError(error.message, code="invalid_spec", attr=error.field) from error


def _product_ids() -> dict[str, Any]:
    adapter_specs = ProductRevision.objects.filter(
        is_current=True, product__kind=Product.Kind.ADAPTER
    ).values_list("product__code", "spec")
    return {
        "fiber_type_ids": dict(FiberType.objects.values_list("code", "pk")),
        "application_ids": dict(Application.objects.values_list("code", "pk")),
        "adapter_families": {code: s.get("family") for code, s in adapter_specs if s.get("family")},
    }


def _spec_body(spec: Mapping[str, Any]) -> str:
    return adapters.spec_hash({k: v for k, v in spec.items() if k not in _LABEL_KEYS})


@transaction.atomic
def product_create(*, spec: Mapping[str, Any], by: Any = None) -> Product:
    """Add a local product whose revision 1 holds `spec` (validated like the admin's edits)."""
    normalised = product_spec_validate(spec={**spec, "revision": 1})
    product = Product(**adapters.product_columns(normalised, **_product_ids()), origin=LOCAL)
    product._history_user = by  # type: ignore[attr-defined]  # django-simple-history
    product.full_clean()
    product.save()
    revision = ProductRevision(
        product=product,
        number=1,
        spec=normalised,
        content_hash=adapters.spec_hash(normalised),
        is_current=True,
        origin=LOCAL,
    )
    revision._history_user = by  # type: ignore[attr-defined]
    revision.full_clean()
    revision.save()
    catalog_version_bump()
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    spec: Mapping[str, Any],
    retired: bool | None = None,
    by: Any = None,
) -> ProductRevision | None:
    """Save a manager's edit of `product`; return its new revision, if the spec changed.

    Names go on the row. A changed spec (map, genders, end-faces, ...) becomes a new current
    revision: installed rows keep pointing at theirs until a designer adopts the new one in their
    hall. An edited seed row becomes local, so `load_catalog` never overwrites it.
    """
    product = Product.objects.select_for_update().get(pk=product.pk)
    current = product.revisions.filter(is_current=True).first()
    top = product.revisions.aggregate(top=Max("number"))["top"] or 0
    labels = adapters.product_labels({**spec, "code": product.code})
    normalised = product_spec_validate(spec={**spec, "code": product.code, "revision": top + 1})
    if normalised["kind"] != product.kind:
        raise ApplicationError(
            "A revision cannot change the kind.", code="invalid_spec", attr="kind"
        )
    revision = None
    if current is None or _spec_body(current.spec) != _spec_body(normalised):
        revision = product_revise(product=product, spec=normalised, by=by)
        columns = adapters.product_columns(normalised, **_product_ids())
        for name in _PRODUCT_COLUMNS:
            setattr(product, name, columns[name])
    changed = revision is not None or any(
        getattr(product, key) != value for key, value in labels.items()
    )
    for key, value in labels.items():
        setattr(product, key, value)
    if retired is not None and retired != product.retired:
        product.retired = retired
        changed = True
    if changed:
        product.origin = LOCAL
        product._history_user = by  # type: ignore[attr-defined]
        product.full_clean()
        product.save()
        catalog_version_bump()
    return revision
