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
    """Delete every catalog row, and whatever installed rows point at them (TRUNCATE ... CASCADE).

    Installed plant rows protect the revisions they use; a transactional test that failed before
    its flush may leave some behind, and they must not block clearing the catalog.
    """
    from django.apps import apps
    from django.db import connection

    from apps.catalog.adapters import engine_catalog_clear

    tables = [model._meta.db_table for model in apps.get_app_config("catalog").get_models()]
    with connection.cursor() as cursor:
        # Inside a test transaction, deferred foreign-key checks must fire before a TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    engine_catalog_clear()
