"""Loading and clearing the seed catalog in the test database (used by tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

FIXTURE_SEED = Path(__file__).parents[1] / "engine" / "fixtures" / "seed"


def catalog_seed_dir() -> Path:
    """The real seed files once they exist, else the engine's fixture seed."""
    real = Path(settings.CATALOG_SEED_DIR)
    return real if any((real / "products").glob("*.yaml")) else FIXTURE_SEED


def catalog_clear() -> None:
    """Delete every catalog row (children first)."""
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
