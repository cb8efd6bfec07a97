"""engine_catalog(): built from the database in a fixed number of queries, cached per version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.adapters import engine_catalog, engine_catalog_clear, engine_records
from apps.catalog.models import Product
from apps.catalog.services import catalog_version_bump, product_retire
from apps.engine.catalog import Catalog
from tests.factories.catalog import ApplicationLimitFactory, ProductFactory

# version + 5 vocabulary tables + applications + limits + current revisions
ENGINE_CATALOG_QUERIES = 9


@pytest.mark.django_db
def test_engine_catalog_cost_does_not_grow_with_the_catalog(empty_catalog):
    # given: two catalogs, one with 1 product and one with 20
    ApplicationLimitFactory()
    ProductFactory.create_batch(1)
    catalog_version_bump()
    # when
    with CaptureQueriesContext(connection) as one:
        small = engine_catalog()
    ProductFactory.create_batch(19)
    ApplicationLimitFactory.create_batch(5)
    catalog_version_bump()
    with CaptureQueriesContext(connection) as twenty:
        big = engine_catalog()
    # then
    assert len(one) == len(twenty) <= ENGINE_CATALOG_QUERIES
    assert (len(small.products), len(big.products)) == (1, 20)
    assert len(big.applications) == 6


@pytest.mark.django_db
def test_engine_catalog_is_reused_while_the_catalog_version_is_unchanged(catalog):
    # given
    engine_catalog_clear()
    first = engine_catalog()
    # when
    with CaptureQueriesContext(connection) as queries:
        second = engine_catalog()
    # then: one query, for the version
    assert second is first
    assert len(queries) == 1


@pytest.mark.django_db
def test_engine_catalog_is_rebuilt_after_a_catalog_write(catalog, catalog_records):
    # given
    first = engine_catalog()
    # when
    product_retire(product=Product.objects.get(code=catalog_records.products[0]["code"]))
    # then
    assert engine_catalog() is not first


@pytest.mark.django_db
def test_engine_catalog_matches_the_seed_files(catalog, catalog_records):
    # given
    from_seed = Catalog.from_records(catalog_records)
    # when
    from_database = engine_catalog()
    # then: the same products with the same faces and maps, the same limits
    assert from_database.products.keys() == from_seed.products.keys()
    for code, product in from_seed.products.items():
        other = from_database.products[code]
        assert (other.kind, other.map, other.faces) == (product.kind, product.map, product.faces)
        assert other.overrides == product.overrides
    for code, application in from_seed.applications.items():
        assert from_database.applications[code].limits == application.limits
        assert from_database.applications[code].mdi == application.mdi
    assert from_database.layouts == from_seed.layouts
    assert from_database.connectors == from_seed.connectors
    assert {c: g.pairs for c, g in from_database.grades.items()} == {
        c: g.pairs for c, g in from_seed.grades.items()
    }


@pytest.mark.django_db
def test_engine_records_carry_names_edited_on_the_product_row(catalog, catalog_records):
    # given
    code = catalog_records.products[0]["code"]
    Product.objects.filter(code=code).update(name="Renamed by hand")
    # when
    records = engine_records()
    # then
    assert next(p for p in records.products if p["code"] == code)["name"] == "Renamed by hand"
