"""The session catalog fixture survives transactional tests (which flush every table)."""

from __future__ import annotations

import pytest

from apps.catalog.models import FiberType, Product


@pytest.mark.django_db(transaction=True)
def test_transactional_test_sees_the_session_catalog(catalog, catalog_records):
    assert Product.objects.count() == len(catalog_records.products)


@pytest.mark.django_db
@pytest.mark.usefixtures("_catalog_session")
def test_catalog_is_reloaded_after_a_transactional_test(catalog_records):
    # given: the test above flushed the tables when it ended
    # then: the teardown hook reloaded them (this test does not use `catalog`, which would)
    assert FiberType.objects.count() == len(catalog_records.fiber_types)
    assert Product.objects.count() == len(catalog_records.products)
