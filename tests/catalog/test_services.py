"""catalog_load: inserts, idempotence, drift, new revisions, bounded queries."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import (
    Application,
    ApplicationLimit,
    FiberType,
    Product,
    ProductRevision,
)
from apps.catalog.selectors import catalog_version_get
from apps.catalog.services import DriftReason, catalog_load, product_retire, product_revise
from apps.engine.types import SeedRecords
from tests.support.catalog import catalog_clear


def _changed(records: SeedRecords, section: str, code: str, **changes: Any) -> SeedRecords:
    """A copy of `records` where record `code` of `section` has `changes`."""
    copied = copy.deepcopy(records)
    for record in getattr(copied, section):
        if record["code"] == code:
            record.update(changes)
            return copied
    raise AssertionError(f"no {code} in {section}")


def _first(records: SeedRecords, section: str, **match: Any) -> dict[str, Any]:
    return next(
        r for r in getattr(records, section) if all(r.get(k) == v for k, v in match.items())
    )


@pytest.mark.django_db
def test_first_load_inserts_every_seed_record(empty_catalog, catalog_records):
    # when
    report = catalog_load(records=catalog_records)
    # then
    sections = report.sections
    assert len(sections["fiber_types"].inserted) == len(catalog_records.fiber_types) > 0
    assert len(sections["connector_types"].inserted) == len(catalog_records.connector_types) > 0
    assert len(sections["applications"].inserted) == len(catalog_records.applications) > 0
    assert len(sections["layouts"].inserted) == len(catalog_records.layouts) > 0
    assert len(sections["products"].inserted) == len(catalog_records.products) > 0
    assert report.updated == 0
    assert report.drift == []
    assert Product.objects.count() == len(catalog_records.products)
    assert (
        ProductRevision.objects.filter(is_current=True, number=1).count() == Product.objects.count()
    )
    assert set(Product.objects.values_list("origin", flat=True)) == {"seed"}
    assert report.version == catalog_version_get() == 1


@pytest.mark.django_db
def test_first_load_keeps_each_limit_with_its_source_and_verified_flag(
    empty_catalog, catalog_records
):
    # given: an application whose limits carry per-fibre source markers
    application = next(a for a in catalog_records.applications if a["limits"])
    # when
    catalog_load(records=catalog_records)
    # then
    limits = ApplicationLimit.objects.filter(application__code=application["code"])
    assert {limit.fiber_type.code for limit in limits} == set(application["limits"])
    for limit in limits:
        assert limit.sources or not application["sources"] and not application["source"]
        assert limit.verified == all(
            "OK" not in m and "⚠" not in m and "WARN" not in m for m in limit.sources.values()
        )


@pytest.mark.django_db
def test_second_load_changes_nothing_and_keeps_the_version(catalog, catalog_records):
    # given
    version = catalog_version_get()
    updated = list(Product.objects.values_list("code", "updated"))
    # when
    report = catalog_load(records=catalog_records)
    # then
    assert (report.inserted, report.updated, report.drift) == (0, 0, [])
    assert report.unchanged == (
        len(catalog_records.fiber_types)
        + len(catalog_records.connector_types)
        + len(catalog_records.loss_grades)
        + len(catalog_records.splices)
        + len(catalog_records.layouts)
        + len(catalog_records.applications)
        + len(catalog_records.products)
    )
    assert catalog_version_get() == version
    assert list(Product.objects.values_list("code", "updated")) == updated
    assert ProductRevision.objects.count() == len(catalog_records.products)


@pytest.mark.django_db
def test_changed_seed_record_updates_a_row_nobody_edited(catalog, catalog_records):
    # given
    fiber = catalog_records.fiber_types[0]["code"]
    records = _changed(catalog_records, "fiber_types", fiber, name="Renamed in the seed")
    version = catalog_version_get()
    # when
    report = catalog_load(records=records)
    # then
    assert report.sections["fiber_types"].updated == [fiber]
    assert report.updated == 1
    assert FiberType.objects.get(code=fiber).name == "Renamed in the seed"
    assert catalog_version_get() == version + 1
    # and loading the same records again is a no-op
    assert catalog_load(records=records).updated == 0


@pytest.mark.django_db
def test_edited_row_is_not_overwritten_and_is_reported_as_drift(catalog, catalog_records):
    # given: a catalog manager edited a fibre type, and the seed changed it too
    fiber = catalog_records.fiber_types[0]["code"]
    FiberType.objects.filter(code=fiber).update(jacket_color="violet")
    records = _changed(catalog_records, "fiber_types", fiber, name="Renamed in the seed")
    # when
    report = catalog_load(records=records)
    # then
    row = FiberType.objects.get(code=fiber)
    assert (row.jacket_color, row.name) == ("violet", catalog_records.fiber_types[0]["name"])
    drift = report.sections["fiber_types"].drift
    assert [(d.code, d.reason) for d in drift] == [(fiber, DriftReason.EDITED_SEED_CHANGED)]
    assert report.updated == 0
    assert f"  DRIFT EDITED_SEED_CHANGED fiber_types {fiber}" in report.lines()


@pytest.mark.django_db
def test_edited_row_with_an_unchanged_seed_is_drift_and_kept(catalog, catalog_records):
    # given
    code = catalog_records.products[0]["code"]
    Product.objects.filter(code=code).update(name="Our own name")
    # when
    report = catalog_load(records=catalog_records)
    # then
    assert [(d.code, d.reason) for _, d in report.drift] == [(code, DriftReason.EDITED)]
    assert Product.objects.get(code=code).name == "Our own name"
    assert report.updated == 0


@pytest.mark.django_db
def test_edited_application_limit_is_drift_of_its_application(catalog, catalog_records):
    # given
    application = next(a for a in catalog_records.applications if a["limits"])
    ApplicationLimit.objects.filter(application__code=application["code"]).update(il_db="9.999")
    # when
    report = catalog_load(records=catalog_records)
    # then
    assert [(d.code, d.reason) for _, d in report.drift] == [
        (application["code"], DriftReason.EDITED)
    ]


@pytest.mark.django_db
def test_local_row_holding_a_seed_code_is_drift(catalog, catalog_records):
    # given
    fiber = catalog_records.fiber_types[0]["code"]
    FiberType.objects.filter(code=fiber).update(origin="local", name="Local")
    # when
    report = catalog_load(records=catalog_records)
    # then
    assert [(d.code, d.reason) for _, d in report.drift] == [(fiber, DriftReason.LOCAL_ROW)]
    assert FiberType.objects.get(code=fiber).name == "Local"


@pytest.mark.django_db
def test_changed_seed_spec_gives_the_product_a_new_revision(catalog, catalog_records):
    # given
    original = catalog_records.products[0]
    code = original["code"]
    records = _changed(catalog_records, "products", code, description="New datasheet")
    # when
    report = catalog_load(records=records)
    # then
    assert report.sections["products"].updated == [code]
    assert report.sections["products"].new_revisions == [code]
    revisions = list(
        ProductRevision.objects.filter(product__code=code)
        .order_by("number")
        .values_list("number", "is_current", "spec")
    )
    assert [(n, current) for n, current, _ in revisions] == [(1, False), (2, True)]
    assert revisions[0][2] == original  # the old revision's spec is untouched
    assert revisions[1][2]["description"] == "New datasheet"
    assert Product.objects.get(code=code).description == "New datasheet"
    # and the next load of the same records changes nothing
    again = catalog_load(records=records)
    assert (again.updated, again.sections["products"].new_revisions) == (0, [])


@pytest.mark.django_db
def test_product_missing_from_the_seed_is_reported_and_kept(catalog, catalog_records):
    # given
    code = catalog_records.products[0]["code"]
    records = dataclasses.replace(
        catalog_records, products=[p for p in catalog_records.products if p["code"] != code]
    )
    # when
    report = catalog_load(records=records)
    # then
    assert report.sections["products"].missing == [code]
    assert Product.objects.filter(code=code).exists()


@pytest.mark.django_db
def test_dry_run_reports_but_saves_nothing(empty_catalog, catalog_records):
    # when
    report = catalog_load(records=catalog_records, dry_run=True)
    # then
    assert report.inserted > 0
    assert report.dry_run
    assert Product.objects.count() == 0
    assert FiberType.objects.count() == 0
    assert catalog_version_get() == 0


def _with_products(records: SeedRecords, count: int) -> SeedRecords:
    simple = [p for p in records.products if p["kind"] not in ("panel",)]
    assert len(simple) >= count
    return dataclasses.replace(records, products=simple[:count])


@pytest.mark.django_db
def test_load_query_count_does_not_grow_with_the_catalog(empty_catalog, catalog_records):
    # given
    one, twenty = _with_products(catalog_records, 1), _with_products(catalog_records, 20)
    # when: a first load of each, then a reload with every product's spec changed
    with CaptureQueriesContext(connection) as small:
        catalog_load(records=one)
    catalog_clear()
    with CaptureQueriesContext(connection) as big:
        catalog_load(records=twenty)
    changed = copy.deepcopy(twenty)
    for product in changed.products:
        product["description"] = "changed"
    with CaptureQueriesContext(connection) as reload:
        report = catalog_load(records=changed)
    # then
    assert len(small) == len(big) <= 40
    assert len(reload) <= 40
    assert len(report.sections["products"].new_revisions) == 20


@pytest.mark.django_db
def test_product_revise_adds_a_current_revision_and_bumps_the_version(catalog, catalog_records):
    # given
    spec = _first(catalog_records, "products", kind="cable")
    product = Product.objects.get(code=spec["code"])
    version = catalog_version_get()
    # when
    revision = product_revise(product=product, spec={**spec, "description": "ours"})
    # then
    assert (revision.number, revision.is_current, revision.origin) == (2, True, "local")
    assert product.revisions.filter(is_current=True).get() == revision
    assert catalog_version_get() == version + 1
    # and the next load reports the product as edited, not overwritten
    report = catalog_load(records=catalog_records)
    assert [(d.code, d.reason) for _, d in report.drift] == [(spec["code"], DriftReason.EDITED)]


@pytest.mark.django_db
def test_product_retire_does_not_count_as_drift(catalog, catalog_records):
    # given
    code = catalog_records.products[0]["code"]
    product_retire(product=Product.objects.get(code=code))
    # when
    report = catalog_load(records=catalog_records)
    # then
    assert report.drift == []
    assert Product.objects.get(code=code).retired


@pytest.mark.django_db
def test_application_without_changes_keeps_its_limit_rows(catalog, catalog_records):
    # given
    ids = set(ApplicationLimit.objects.values_list("pk", flat=True))
    # when
    catalog_load(records=catalog_records)
    # then
    assert set(ApplicationLimit.objects.values_list("pk", flat=True)) == ids
    assert Application.objects.count() == len(catalog_records.applications)
