"""Engine test fixtures: the fixture catalog (small, odd products) and the real seed catalog."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from apps.engine.catalog import Catalog
from apps.engine.seed import load_records

FIXTURE_SEED = Path(__file__).parent / "fixtures" / "seed"
REAL_SEED = Path(__file__).parents[2] / "apps/catalog/seed"


def real_seed_present() -> bool:
    """True once the seed-data developer's reference files exist."""
    return (REAL_SEED / "applications.yaml").exists()


def real_seed_products_present() -> bool:
    """True once at least one product file of the real seed holds a record."""
    return any(
        path.read_text(encoding="utf-8").lstrip().startswith("-")
        or "\n-" in path.read_text(encoding="utf-8")
        for path in (REAL_SEED / "products").glob("*.yaml")
    )


@cache
def real_catalog() -> Catalog | None:
    """The real seed catalog, loaded once (None until its products exist)."""
    if not real_seed_present() or not real_seed_products_present():
        return None
    return Catalog.from_records(load_records(REAL_SEED))


@pytest.fixture(scope="session")
def fixture_catalog() -> Catalog:
    """The test fixture catalog (tests/engine/fixtures/seed)."""
    return Catalog.from_records(load_records(FIXTURE_SEED))


@pytest.fixture(scope="session")
def seed_catalog() -> Catalog:
    """The real catalog from apps/catalog/seed, the same files `load_catalog` reads."""
    if not real_seed_present():
        pytest.skip("apps/catalog/seed/*.yaml not written yet")
    if not real_seed_products_present():
        pytest.skip("apps/catalog/seed/products/*.yaml hold no products yet")
    catalog = real_catalog()
    assert catalog is not None
    return catalog
