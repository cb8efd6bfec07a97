"""Catalog fixtures: the seed catalog, loaded ONCE per test session and kept loaded.

Use `catalog` in any test that needs the catalog rows (it returns the seed records):

    @pytest.mark.django_db
    def test_something(catalog):
        product = Product.objects.get(code=catalog.products[0]["code"])

How it works: `_catalog_session` loads the seed files into the test database once, committed,
outside any test transaction (so `db` tests see it and roll back only their own changes). A
`transaction=True` test flushes every table when it ends; `pytest_runtest_teardown` below then
reloads the catalog in bulk (one `catalog_load`, a fixed number of queries). At the end of the
session the catalog rows are deleted, so `--reuse-db` starts clean next time.

To use it from other test packages, move this module's fixtures and the hook into
tests/conftest.py (a hook in tests/catalog/conftest.py only sees tests under tests/catalog/).
Until the real seed files are complete (applications.yaml and products/*.yaml), the engine's
fixture seed (tests/engine/fixtures/seed) stands in for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from pytest_django.plugin import blocking_manager_key

from apps.catalog.adapters import engine_catalog_clear
from apps.catalog.models import (
    Application,
    ApplicationLimit,
    CatalogVersion,
    ConnectorType,
    FiberType,
    Layout,
    LossGrade,
    Product,
    ProductRevision,
    SpliceType,
)
from apps.catalog.services import catalog_load
from apps.engine.seed import load_records
from apps.engine.types import SeedRecords

FIXTURE_SEED = Path(__file__).parents[1] / "engine" / "fixtures" / "seed"


def catalog_seed_dir() -> Path:
    """The real seed files once they are complete (products too), else the engine's fixture seed."""
    real = Path(settings.CATALOG_SEED_DIR)
    complete = (real / "applications.yaml").exists() and any((real / "products").glob("*.yaml"))
    return real if complete else FIXTURE_SEED


class _State:
    records: SeedRecords | None = None  # set once the session catalog is loaded


def catalog_clear() -> None:
    """Delete every catalog row (children first)."""
    for model in (
        ProductRevision,
        Product,
        ApplicationLimit,
        Application,
        Layout,
        SpliceType,
        LossGrade,
        ConnectorType,
        FiberType,
        CatalogVersion,
    ):
        model.objects.all().delete()
    engine_catalog_clear()


@pytest.fixture(scope="session")
def catalog_records() -> SeedRecords:
    """The seed records, read once per session (the same ones the catalog is loaded from)."""
    return load_records(catalog_seed_dir())


@pytest.fixture(scope="session")
def _catalog_session(
    django_db_setup: None, django_db_blocker: object, catalog_records: SeedRecords
) -> Iterator[None]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        catalog_load(records=catalog_records)
    _State.records = catalog_records
    yield
    _State.records = None
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        catalog_clear()


@pytest.fixture
def catalog(_catalog_session: None, db: None, catalog_records: SeedRecords) -> SeedRecords:
    """The seed catalog in the database; returns its records."""
    if not FiberType.objects.exists():  # flushed by a transactional test outside this package
        catalog_load(records=catalog_records)
    return catalog_records


@pytest.fixture
def empty_catalog(db: None) -> None:
    """No catalog rows for this test (deleted inside the test's transaction, so rolled back)."""
    catalog_clear()


def _flushes(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    )
    names = getattr(item, "fixturenames", ())
    return transactional or "transactional_db" in names or "live_server" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        # After the test's own teardown, which is when a transactional test flushes the tables.
        if _State.records is not None and _flushes(item):
            with item.config.stash[blocking_manager_key].unblock():
                catalog_load(records=_State.records)
